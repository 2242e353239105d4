-- A closed round's stored figures name their organisation and are keyed by it (issue 17,
-- part 3): the progress report joins them to the organisation's closed rounds on every
-- request, and that join was the one statement on its path whose index led with the
-- round alone. SQLite, one installation per file, gets the column and keeps its key
-- (../../sqlite/…/up.sql).
ALTER TABLE assessment_published_results ADD COLUMN org_id TEXT REFERENCES organizations (id);
UPDATE assessment_published_results p SET org_id = r.org_id FROM assessment_rounds r WHERE r.id = p.round_id;
ALTER TABLE assessment_published_results ALTER COLUMN org_id SET NOT NULL;
ALTER TABLE assessment_published_results DROP CONSTRAINT assessment_published_results_pkey;
ALTER TABLE assessment_published_results ADD CONSTRAINT assessment_published_results_pkey PRIMARY KEY (org_id, round_id);
