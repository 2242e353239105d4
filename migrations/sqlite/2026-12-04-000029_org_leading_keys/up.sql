-- Twin of ../../postgres/2026-12-04-000029_org_leading_keys/up.sql. SQLite holds one
-- installation per file and keeps its keys; the statements name the organisation on both.
SELECT 1;
