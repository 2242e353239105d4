-- The triggers of 000021 and 000023 again (their functions, as 000026 left them, stay).
DROP TRIGGER report_versions_ideas_update ON ideas;
DROP TRIGGER participation_versions_authors_update ON ideas;
DROP FUNCTION report_versions_bump_idea_row();
DROP FUNCTION participation_versions_bump_author_row();

CREATE TRIGGER report_versions_ideas_update AFTER UPDATE ON ideas
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump_ideas();
CREATE TRIGGER participation_versions_authors_update AFTER UPDATE ON ideas
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump_people();
CREATE TRIGGER participation_versions_votes_insert AFTER INSERT ON idea_votes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();
