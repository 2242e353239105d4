-- Questionnaires, assessment rounds, anonymous responses.
-- Twin of ../../sqlite/2026-11-26-000002_assessments/up.sql: keep both in step.
--
-- Anonymity by construction: the response tables hold no user reference, no timestamp and
-- no id that grows with time (response ids are random UUIDv4). Participation ("user U
-- answered round R") is a separate table without id or timestamp. PostgreSQL stores rows
-- in insertion order and stamps them with the inserting transaction, so closing a round
-- rewrites its responses and participation in key order in one transaction (see
-- store::assessments::close); what remains is described in the README.

CREATE TABLE questionnaires (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    key TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    scale TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    archived_at TIMESTAMP,
    UNIQUE (org_id, key, version),
    UNIQUE (org_id, id)
);
CREATE INDEX questionnaires_current_idx ON questionnaires (org_id, status, published_at);

CREATE TABLE questionnaire_dimensions (
    questionnaire_id TEXT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    dimension_key TEXT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, dimension_key)
);

CREATE TABLE questionnaire_items (
    questionnaire_id TEXT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    dimension_key TEXT NOT NULL,
    position BIGINT NOT NULL,
    reverse BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (questionnaire_id, item_key),
    FOREIGN KEY (questionnaire_id, dimension_key) REFERENCES questionnaire_dimensions (questionnaire_id, dimension_key) ON DELETE CASCADE
);

CREATE TABLE assessment_rounds (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    questionnaire_id TEXT NOT NULL,
    title TEXT NOT NULL,
    scope_unit_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'open', 'closed')),
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    eligible_count BIGINT,
    created_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (closes_at > opens_at),
    FOREIGN KEY (org_id, questionnaire_id) REFERENCES questionnaires (org_id, id),
    FOREIGN KEY (org_id, scope_unit_id) REFERENCES units (org_id, id)
);
CREATE INDEX assessment_rounds_org_idx ON assessment_rounds (org_id, status);
CREATE INDEX assessment_rounds_opens_idx ON assessment_rounds (status, opens_at);
CREATE INDEX assessment_rounds_closes_idx ON assessment_rounds (status, closes_at);
CREATE INDEX assessment_rounds_closed_idx ON assessment_rounds (org_id, closed_at);

-- Who has answered: exactly one row per person and round (the primary key refuses a
-- second). No id, no timestamp.
CREATE TABLE assessment_participation (
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, user_id)
);

-- One row per response: a random id and the respondent's unit at that moment, nothing else.
CREATE TABLE assessment_responses (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id TEXT REFERENCES units (id)
);
CREATE INDEX assessment_responses_round_idx ON assessment_responses (round_id, unit_id);

-- The raw answer per item; NULL is "can't judge".
CREATE TABLE assessment_answers (
    response_id TEXT NOT NULL REFERENCES assessment_responses (id),
    item_key TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    value BIGINT CHECK (value BETWEEN 1 AND 5),
    PRIMARY KEY (response_id, item_key)
);
CREATE INDEX assessment_answers_round_idx ON assessment_answers (round_id, item_key, value);

-- The respondent's dimension score (mean of answered, reversal applied), stored only when
-- at least 75 % of the dimension's items were answered.
CREATE TABLE assessment_scores (
    response_id TEXT NOT NULL REFERENCES assessment_responses (id),
    dimension_key TEXT NOT NULL,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id TEXT REFERENCES units (id),
    score DOUBLE PRECISION NOT NULL CHECK (score >= 1 AND score <= 5),
    PRIMARY KEY (response_id, dimension_key)
);
CREATE INDEX assessment_scores_round_idx ON assessment_scores (round_id, dimension_key, unit_id, score);

-- Live results of an open round are published in steps of at least k responses; this
-- holds the aggregates of the last step.
CREATE TABLE assessment_live_results (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES assessment_rounds (id),
    response_count BIGINT NOT NULL,
    aggregates TEXT NOT NULL
);
