-- Twin of ../../postgres/2026-12-05-000032_published_results_org/up.sql. SQLite keeps its
-- key; the stored figures name their organisation as the code writes and reads them.
CREATE TABLE assessment_published_results_new (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    min_group_size BIGINT NOT NULL CHECK (min_group_size >= 3),
    responses BIGINT NOT NULL,
    reportable BOOLEAN NOT NULL,
    results TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id)
);
INSERT INTO assessment_published_results_new
    (round_id, min_group_size, responses, reportable, results, published_at, org_id)
    SELECT p.round_id, p.min_group_size, p.responses, p.reportable, p.results, p.published_at, r.org_id
    FROM assessment_published_results p JOIN assessment_rounds r ON r.id = p.round_id;
DROP TABLE assessment_published_results;
ALTER TABLE assessment_published_results_new RENAME TO assessment_published_results;
