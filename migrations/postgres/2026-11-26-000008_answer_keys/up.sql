-- Answers and dimension scores keyed by round first: a response's rows lie together in the
-- key index (one or two pages written per response instead of one per item in a separate
-- index), and a round's aggregates read one key range.
-- Twin of ../../sqlite/2026-11-26-000008_answer_keys/up.sql: keep both in step.

ALTER TABLE assessment_answers DROP CONSTRAINT assessment_answers_pkey;
ALTER TABLE assessment_answers ADD PRIMARY KEY (round_id, response_id, item_key);
DROP INDEX assessment_answers_round_idx;

ALTER TABLE assessment_scores DROP CONSTRAINT assessment_scores_pkey;
ALTER TABLE assessment_scores ADD PRIMARY KEY (round_id, response_id, dimension_key);
DROP INDEX assessment_scores_round_idx;
