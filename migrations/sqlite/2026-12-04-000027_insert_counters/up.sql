-- New ideas and new dimension links move the ideas' report counter from the code
-- (`store::report_cache::ideas_inserted`, in the same transaction), no longer by trigger:
-- a trigger on an INSERT makes SQLite keep a journal of every page the statement changes,
-- so that the statement can be undone alone, and that journal cost a fifth of an idea's
-- submission (BENCHMARKS.md). Updates and deletes keep their triggers.
-- Twin of ../../postgres/2026-12-04-000027_insert_counters/up.sql.
DROP TRIGGER report_versions_ideas_insert;
DROP TRIGGER report_versions_dimensions_insert;
