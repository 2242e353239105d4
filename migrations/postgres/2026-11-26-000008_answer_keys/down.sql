ALTER TABLE assessment_answers DROP CONSTRAINT assessment_answers_pkey;
ALTER TABLE assessment_answers ADD PRIMARY KEY (response_id, item_key);
CREATE INDEX assessment_answers_round_idx ON assessment_answers (round_id, item_key, value);

ALTER TABLE assessment_scores DROP CONSTRAINT assessment_scores_pkey;
ALTER TABLE assessment_scores ADD PRIMARY KEY (response_id, dimension_key);
CREATE INDEX assessment_scores_round_idx ON assessment_scores (round_id, dimension_key, unit_id, score);
