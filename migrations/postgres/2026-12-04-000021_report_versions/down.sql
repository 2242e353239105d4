DROP TRIGGER report_versions_dimensions ON idea_dimensions;
DROP TRIGGER report_versions_spans ON idea_stage_spans;
DROP TRIGGER report_versions_cycles ON idea_cycles;
DROP TRIGGER report_versions_ideas_update ON ideas;
DROP TRIGGER report_versions_ideas_insert_delete ON ideas;
DROP FUNCTION report_versions_bump();
DROP TABLE report_versions;
