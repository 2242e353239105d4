-- Indexes for the management reports on large organisations (100,000 ideas).
-- Twin of ../../postgres/2026-11-26-000007_report_indexes/up.sql: keep both in step.

-- Each dimension link carries its idea's status, unit and submission time (kept in step
-- by store::ideas), so "ideas linked to a dimension, submitted between two rounds, by
-- stage" is read from one index instead of joining every idea.
ALTER TABLE idea_dimensions ADD COLUMN status TEXT NOT NULL DEFAULT 'submitted';
ALTER TABLE idea_dimensions ADD COLUMN unit_id TEXT NOT NULL DEFAULT '';
ALTER TABLE idea_dimensions ADD COLUMN created_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
-- When the idea was adopted (act -> done, which happens at most once) and the impact its
-- last cycle measured.
ALTER TABLE idea_dimensions ADD COLUMN adopted_at TIMESTAMP;
ALTER TABLE idea_dimensions ADD COLUMN adopted_hours_saved DOUBLE PRECISION;
ALTER TABLE idea_dimensions ADD COLUMN adopted_cost_saved DOUBLE PRECISION;
UPDATE idea_dimensions SET status = ideas.status, unit_id = ideas.unit_id, created_at = ideas.created_at
FROM ideas WHERE ideas.id = idea_dimensions.idea_id;
UPDATE idea_dimensions SET adopted_at = c.closed_at, adopted_hours_saved = c.measured_hours_saved_per_year,
    adopted_cost_saved = c.measured_cost_saved_per_year
FROM idea_cycles c WHERE c.idea_id = idea_dimensions.idea_id AND c.outcome = 'adopted';
CREATE INDEX idea_dimensions_flow_idx ON idea_dimensions (org_id, dimension_key, status, created_at, unit_id);
CREATE INDEX idea_dimensions_adopted_idx ON idea_dimensions
    (org_id, adopted_at, dimension_key, unit_id, adopted_hours_saved, adopted_cost_saved);

-- Pipeline: ideas per unit and status; stuck ideas; first cycles (accepted ideas).
CREATE INDEX ideas_unit_status_idx ON ideas (org_id, unit_id, status);
CREATE INDEX ideas_stage_time_idx ON ideas (org_id, status, stage_entered_at, id);
CREATE INDEX idea_cycles_number_idx ON idea_cycles (org_id, cycle);

-- Participation: whether a person submitted or voted since a date is one index probe.
CREATE INDEX ideas_author_created_idx ON ideas (author_id, created_at);
CREATE INDEX idea_votes_user_created_idx ON idea_votes (user_id, created_at);
