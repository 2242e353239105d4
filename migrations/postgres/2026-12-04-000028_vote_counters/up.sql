-- A vote changed the idea's vote count and so fired both statement triggers on updates of
-- `ideas` (000021, 000023), each with its transition tables and a join that found
-- nothing to count, and the statement trigger on inserts into `idea_votes`: together a
-- sixth to a fifth of a vote's statement (EXPLAIN ANALYZE and pgbench, BENCHMARKS.md).
-- A trigger with transition tables cannot name columns, so the two on `ideas` become row
-- triggers that name the columns the figures read: an update that sets none of them (a
-- vote's or a comment's count, an edit of the texts) fires nothing, and one that sets
-- them fires only where a value really changed. The vote statement
-- (`store::idea_votes`) moves the people's counter itself when it adds a vote, as any
-- other code that inserts votes must (`report_cache::votes_inserted`); removing or
-- changing votes still moves it by the triggers of 000023.

DROP TRIGGER report_versions_ideas_update ON ideas;
DROP TRIGGER participation_versions_authors_update ON ideas;
DROP TRIGGER participation_versions_votes_insert ON idea_votes;

CREATE FUNCTION report_versions_bump_idea_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_versions (org_id, shard, ideas_version)
    VALUES (NEW.org_id, (txid_current() % 8)::SMALLINT, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    RETURN NULL;
END
$$;

CREATE FUNCTION participation_versions_bump_author_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participation_versions (org_id, shard, version)
    VALUES (NEW.org_id, (txid_current() % 8)::SMALLINT, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_versions_ideas_update
    AFTER UPDATE OF status, unit_id, cycle, created_at, stage_entered_at, org_id ON ideas
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
          OR OLD.cycle IS DISTINCT FROM NEW.cycle OR OLD.created_at IS DISTINCT FROM NEW.created_at
          OR OLD.stage_entered_at IS DISTINCT FROM NEW.stage_entered_at OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION report_versions_bump_idea_row();

CREATE TRIGGER participation_versions_authors_update
    AFTER UPDATE OF author_id ON ideas
    FOR EACH ROW
    WHEN (OLD.author_id IS DISTINCT FROM NEW.author_id)
    EXECUTE FUNCTION participation_versions_bump_author_row();
