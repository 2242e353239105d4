-- Restores the foreign keys of 2026-11-26-000008_answer_keys.
CREATE TABLE assessment_answers_checked (
    response_id TEXT NOT NULL REFERENCES assessment_responses (id),
    item_key TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    value BIGINT CHECK (value BETWEEN 1 AND 5),
    PRIMARY KEY (round_id, response_id, item_key)
) WITHOUT ROWID;
INSERT INTO assessment_answers_checked (response_id, item_key, round_id, value)
SELECT response_id, item_key, round_id, value FROM assessment_answers;
DROP TABLE assessment_answers;
ALTER TABLE assessment_answers_checked RENAME TO assessment_answers;
CREATE TABLE assessment_scores_checked (
    response_id TEXT NOT NULL REFERENCES assessment_responses (id),
    dimension_key TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id TEXT REFERENCES units (id),
    score DOUBLE PRECISION NOT NULL CHECK (score >= 1 AND score <= 5),
    PRIMARY KEY (round_id, response_id, dimension_key)
) WITHOUT ROWID;
INSERT INTO assessment_scores_checked (response_id, dimension_key, round_id, unit_id, score)
SELECT response_id, dimension_key, round_id, unit_id, score FROM assessment_scores;
DROP TABLE assessment_scores;
ALTER TABLE assessment_scores_checked RENAME TO assessment_scores;
