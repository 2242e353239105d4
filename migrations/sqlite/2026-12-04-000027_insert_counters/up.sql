-- New ideas and new dimension links move the ideas' report counter from the code
-- (`store::report_cache::ideas_inserted`, in the same transaction), no longer by trigger:
-- a trigger on an INSERT makes SQLite keep a journal of every page the statement changes,
-- so that the statement can be undone alone, and that journal cost a fifth of an idea's
-- submission (BENCHMARKS.md). Updates and deletes keep their triggers (below).
-- Twin of ../../postgres/2026-12-04-000027_insert_counters/up.sql.
DROP TRIGGER report_versions_ideas_insert;
DROP TRIGGER report_versions_dimensions_insert;

-- The two triggers on updates of ideas name the columns they watch (their WHEN clauses
-- look at no other): an update of other columns, such as a vote's count, then has no
-- trigger at all and no journal of its pages (votes: ~4,050 → ~4,400/s).
DROP TRIGGER report_versions_ideas_update;
CREATE TRIGGER report_versions_ideas_update
AFTER UPDATE OF status, unit_id, cycle, created_at, stage_entered_at, org_id ON ideas
WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id OR OLD.cycle IS NOT NEW.cycle
  OR OLD.created_at IS NOT NEW.created_at OR OLD.stage_entered_at IS NOT NEW.stage_entered_at
  OR OLD.org_id IS NOT NEW.org_id
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id IN (OLD.org_id, NEW.org_id);
END;

DROP TRIGGER participation_versions_authors_update;
CREATE TRIGGER participation_versions_authors_update AFTER UPDATE OF author_id ON ideas
WHEN OLD.author_id IS NOT NEW.author_id
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;
