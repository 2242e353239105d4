DROP INDEX idea_cycles_closed_idx;
DROP INDEX ideas_created_idx;
DROP TABLE idea_stage_spans;
