-- Answers and dimension scores without foreign keys of their own.
-- Twin of ../../sqlite/2026-11-27-000009_answer_rows_unchecked/up.sql: keep both in step.
--
-- A response writes 28 answers and up to 7 scores. With foreign keys each of those rows
-- ran two or three checks (response, round, unit), and every check on the round's row
-- share-locked that one row, which all concurrent submissions contend for: on PostgreSQL
-- the checks were 40 % of the time a submission cost (measured with the benchmark of
-- POST /api/v1/assessments/{id}/responses: 3.5 -> 2.2 ms of CPU per response).
-- What the keys guaranteed still holds: answers and scores are written only together
-- with their response, in its transaction (store::responses::submit, and the demo's
-- generator), and carry its round and unit; the response row keeps its own keys to the
-- round and the unit, so neither can be deleted while it has answers. The only path that
-- deletes responses is closing a round, which rewrites the round's responses, answers
-- and scores together in its own transaction (store::assessments::rewrite_in_key_order).
ALTER TABLE assessment_answers DROP CONSTRAINT assessment_answers_response_id_fkey;
ALTER TABLE assessment_answers DROP CONSTRAINT assessment_answers_round_id_fkey;
ALTER TABLE assessment_scores DROP CONSTRAINT assessment_scores_response_id_fkey;
ALTER TABLE assessment_scores DROP CONSTRAINT assessment_scores_round_id_fkey;
ALTER TABLE assessment_scores DROP CONSTRAINT assessment_scores_unit_id_fkey;
