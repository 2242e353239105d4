CREATE TABLE assessment_round_aggregates (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    aggregates TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE TABLE assessment_live_results (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    response_count BIGINT NOT NULL,
    aggregates TEXT NOT NULL
);
DROP TABLE assessment_published_results;
