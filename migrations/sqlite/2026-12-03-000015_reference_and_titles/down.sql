DROP INDEX assessment_rounds_title_idx;
ALTER TABLE organizations DROP COLUMN reference_questionnaire_key;
