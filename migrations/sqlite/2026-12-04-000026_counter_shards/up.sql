-- Twin of ../../postgres/2026-12-04-000026_counter_shards/up.sql, which spreads the ideas'
-- counter over several rows so concurrent PostgreSQL transactions do not queue on one.
-- SQLite writes one transaction at a time: its one row per organisation stays, and the
-- code reads the sum of the rows on both backends.
SELECT 1;
