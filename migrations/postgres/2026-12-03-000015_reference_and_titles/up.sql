-- The organisation's reference questionnaire: its dimensions are the organisation's
-- dimensions (weak dimensions, idea links, progress), whatever other questionnaire is
-- published beside it; only an admin switches it. And round titles unique per
-- organisation, so lists and charts can tell rounds apart: existing duplicates get their
-- number, "(2)", "(3)", in the order they were created.
-- Twin of ../../sqlite/2026-12-03-000015_reference_and_titles/up.sql: keep both in step.

ALTER TABLE organizations ADD COLUMN reference_questionnaire_key TEXT NOT NULL DEFAULT 'lernkultur';

CREATE TEMPORARY TABLE round_title_numbers AS
    SELECT id, ROW_NUMBER() OVER (PARTITION BY org_id, title ORDER BY created_at, id) AS n
    FROM assessment_rounds;
UPDATE assessment_rounds
    SET title = title || ' (' || (SELECT CAST(n AS TEXT) FROM round_title_numbers f WHERE f.id = assessment_rounds.id) || ')'
    WHERE id IN (SELECT id FROM round_title_numbers WHERE n > 1);
DROP TABLE round_title_numbers;
CREATE UNIQUE INDEX assessment_rounds_title_idx ON assessment_rounds (org_id, title);
