CREATE TABLE assessment_answers_by_response (
    response_id TEXT NOT NULL REFERENCES assessment_responses (id),
    item_key TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    value BIGINT CHECK (value BETWEEN 1 AND 5),
    PRIMARY KEY (response_id, item_key)
) WITHOUT ROWID;
INSERT INTO assessment_answers_by_response (response_id, item_key, round_id, value)
SELECT response_id, item_key, round_id, value FROM assessment_answers;
DROP TABLE assessment_answers;
ALTER TABLE assessment_answers_by_response RENAME TO assessment_answers;
CREATE INDEX assessment_answers_round_idx ON assessment_answers (round_id, item_key, value);

CREATE TABLE assessment_scores_by_response (
    response_id TEXT NOT NULL REFERENCES assessment_responses (id),
    dimension_key TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id TEXT REFERENCES units (id),
    score DOUBLE PRECISION NOT NULL CHECK (score >= 1 AND score <= 5),
    PRIMARY KEY (response_id, dimension_key)
) WITHOUT ROWID;
INSERT INTO assessment_scores_by_response (response_id, dimension_key, round_id, unit_id, score)
SELECT response_id, dimension_key, round_id, unit_id, score FROM assessment_scores;
DROP TABLE assessment_scores;
ALTER TABLE assessment_scores_by_response RENAME TO assessment_scores;
CREATE INDEX assessment_scores_round_idx ON assessment_scores (round_id, dimension_key, unit_id, score);
