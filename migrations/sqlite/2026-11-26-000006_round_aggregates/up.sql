-- The aggregates of a closed round (counts, sums and sums of squares per respondent unit
-- and dimension, per item), computed once by SQL when first needed. A closed round never
-- changes, so results and progress reports read this row instead of re-aggregating every
-- answer. It holds nothing the results themselves do not show in aggregated form.
-- Twin of ../../postgres/2026-11-26-000006_round_aggregates/up.sql: keep both in step.

CREATE TABLE assessment_round_aggregates (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    aggregates TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
