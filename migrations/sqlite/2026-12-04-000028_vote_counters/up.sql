-- Twin of ../../postgres/2026-12-04-000028_vote_counters/up.sql. SQLite's triggers on
-- `ideas` name their columns already (000027), and a vote there is no single statement.
SELECT 1;
