-- Twin of ../../sqlite/2026-12-04-000027_insert_counters/up.sql, which moves the ideas'
-- counter for inserts from triggers to the code on SQLite. PostgreSQL keeps its triggers
-- (they cost nothing measurable there), and the code's call does nothing on it.
SELECT 1;
