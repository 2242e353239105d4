DROP INDEX assessment_rounds_period_idx;
ALTER TABLE assessment_rounds DROP COLUMN period_key;
DROP TABLE reassessment_schedules;
