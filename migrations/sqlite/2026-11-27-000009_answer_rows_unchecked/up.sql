-- Answers and dimension scores without foreign keys of their own.
-- Twin of ../../postgres/2026-11-27-000009_answer_rows_unchecked/up.sql (which says why):
-- the same tables, rebuilt without the REFERENCES clauses (SQLite cannot drop them).

CREATE TABLE assessment_answers_unchecked (
    response_id TEXT NOT NULL,
    item_key TEXT NOT NULL,
    round_id TEXT NOT NULL,
    value BIGINT CHECK (value BETWEEN 1 AND 5),
    PRIMARY KEY (round_id, response_id, item_key)
) WITHOUT ROWID;
INSERT INTO assessment_answers_unchecked (response_id, item_key, round_id, value)
SELECT response_id, item_key, round_id, value FROM assessment_answers;
DROP TABLE assessment_answers;
ALTER TABLE assessment_answers_unchecked RENAME TO assessment_answers;

CREATE TABLE assessment_scores_unchecked (
    response_id TEXT NOT NULL,
    dimension_key TEXT NOT NULL,
    round_id TEXT NOT NULL,
    unit_id TEXT,
    score DOUBLE PRECISION NOT NULL CHECK (score >= 1 AND score <= 5),
    PRIMARY KEY (round_id, response_id, dimension_key)
) WITHOUT ROWID;
INSERT INTO assessment_scores_unchecked (response_id, dimension_key, round_id, unit_id, score)
SELECT response_id, dimension_key, round_id, unit_id, score FROM assessment_scores;
DROP TABLE assessment_scores;
ALTER TABLE assessment_scores_unchecked RENAME TO assessment_scores;
