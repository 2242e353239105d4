CREATE TABLE assessment_published_results_old (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    min_group_size BIGINT NOT NULL CHECK (min_group_size >= 3),
    responses BIGINT NOT NULL,
    reportable BOOLEAN NOT NULL,
    results TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);
INSERT INTO assessment_published_results_old
    (round_id, min_group_size, responses, reportable, results, published_at)
    SELECT round_id, min_group_size, responses, reportable, results, published_at FROM assessment_published_results;
DROP TABLE assessment_published_results;
ALTER TABLE assessment_published_results_old RENAME TO assessment_published_results;
