-- A closed round's results are built once, at its close, with the unit tree and the
-- minimum group size k of that moment, and every later read returns exactly these
-- figures: a reorganisation or a new k never regroups answers that were already
-- published, so two readings can never be set against each other. Open rounds show
-- participation only, so the step-wise live results and their table go; so do the raw
-- aggregates of closed rounds, which the published figures replace.
-- Twin of ../../sqlite/2026-12-03-000011_published_results/up.sql: keep both in step.

CREATE TABLE assessment_published_results (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    -- k as it was when the round closed.
    min_group_size BIGINT NOT NULL CHECK (min_group_size >= 3),
    -- The round's responses, and whether its organisation-level figures could be shown
    -- (at least k responses): a thinner round is listed but never replaces what earlier
    -- rounds showed.
    responses BIGINT NOT NULL,
    reportable BOOLEAN NOT NULL,
    -- The figures (JSON): per dimension and item for the round, per unit of the tree as it
    -- stood, each hidden where the rules say so; and the unit names of that moment.
    results TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);

DROP TABLE assessment_live_results;
DROP TABLE assessment_round_aggregates;
