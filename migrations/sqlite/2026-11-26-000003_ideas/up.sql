-- Improvement ideas and their PDCA lifecycle: ideas, cycles, dimension links, co-authors,
-- history events, votes and comments.
-- Twin of ../../postgres/2026-11-26-000003_ideas/up.sql: keep both in step.

CREATE TABLE ideas (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    unit_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_share BIGINT NOT NULL DEFAULT 100 CHECK (author_share BETWEEN 1 AND 100),
    -- Set for an anonymous submission: the author is shown by this word instead.
    code_word TEXT,
    title TEXT NOT NULL,
    current_situation TEXT NOT NULL,
    proposal TEXT NOT NULL,
    expected_benefit TEXT NOT NULL,
    est_hours_saved_per_year DOUBLE PRECISION,
    est_cost_saved_per_year DOUBLE PRECISION,
    est_quality_benefit TEXT,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'plan', 'do', 'check', 'act', 'done', 'rejected', 'withdrawn', 'abandoned')),
    cycle BIGINT NOT NULL DEFAULT 1 CHECK (cycle >= 1),
    owner_id TEXT,
    duplicate_of_id TEXT,
    -- Why it was rejected, withdrawn or abandoned.
    decision_reason TEXT,
    -- Kept in step with idea_votes / idea_comments in the same transaction, so a list
    -- page needs no aggregation.
    vote_count BIGINT NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
    comment_count BIGINT NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    stage_entered_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, unit_id) REFERENCES units (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, duplicate_of_id) REFERENCES ideas (org_id, id)
);
-- One index per list order (newest: the UNIQUE (org_id, id) index), each also behind
-- the status and unit filters, so every page is a keyset seek, never an OFFSET scan.
CREATE INDEX ideas_status_idx ON ideas (org_id, status, id);
CREATE INDEX ideas_votes_idx ON ideas (org_id, vote_count, id);
CREATE INDEX ideas_stage_idx ON ideas (org_id, stage_entered_at, id);
CREATE INDEX ideas_unit_idx ON ideas (org_id, unit_id, id);
CREATE INDEX ideas_author_idx ON ideas (author_id, id);
CREATE INDEX ideas_owner_idx ON ideas (owner_id, id);
CREATE INDEX ideas_code_word_idx ON ideas (org_id, code_word);

-- One row per PDCA cycle: the plan, the pilot, the measurement and the decision.
-- An adapted idea keeps the rows of its earlier cycles.
CREATE TABLE idea_cycles (
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    cycle BIGINT NOT NULL CHECK (cycle >= 1),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    problem TEXT,
    goal TEXT,
    kpi_name TEXT,
    kpi_unit TEXT,
    kpi_baseline DOUBLE PRECISION,
    kpi_target DOUBLE PRECISION,
    lower_is_better BOOLEAN NOT NULL DEFAULT FALSE,
    due_date TEXT,
    prediction TEXT,
    do_summary TEXT,
    ran_as_planned BOOLEAN,
    deviations TEXT,
    measured_value DOUBLE PRECISION,
    target_met BOOLEAN,
    relative_improvement DOUBLE PRECISION,
    measured_hours_saved_per_year DOUBLE PRECISION,
    measured_cost_saved_per_year DOUBLE PRECISION,
    findings TEXT,
    outcome TEXT CHECK (outcome IN ('adopted', 'adapted', 'abandoned')),
    new_standard TEXT,
    next_cycle_changes TEXT,
    started_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, cycle)
);
CREATE INDEX idea_cycles_org_idx ON idea_cycles (org_id, outcome);

CREATE TABLE idea_dimensions (
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    dimension_key TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (idea_id, dimension_key)
);
CREATE INDEX idea_dimensions_key_idx ON idea_dimensions (org_id, dimension_key, idea_id);

CREATE TABLE idea_coauthors (
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    user_id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    share BIGINT NOT NULL CHECK (share BETWEEN 1 AND 99),
    PRIMARY KEY (idea_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX idea_coauthors_user_idx ON idea_coauthors (user_id, idea_id);

-- The history: one row per submission and transition, never changed or removed
-- (enforced below). `stage` is the stage data as it stood, as JSON.
CREATE TABLE idea_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    cycle BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    -- The actor acted as the anonymous author (submitted, withdrew): shown by code word.
    actor_hidden BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT,
    stage TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idea_events_idea_idx ON idea_events (idea_id, id);

-- One vote per person and idea: the primary key makes PUT idempotent under races.
CREATE TABLE idea_votes (
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    user_id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX idea_votes_user_idx ON idea_votes (user_id, idea_id);

-- A deleted comment stays as a placeholder: body NULL, deleted_at set.
CREATE TABLE idea_comments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted_by TEXT REFERENCES users (id)
);
CREATE INDEX idea_comments_idea_idx ON idea_comments (idea_id, id);

CREATE TRIGGER idea_events_no_update BEFORE UPDATE ON idea_events
BEGIN
    SELECT RAISE(ABORT, 'idea history events are append-only');
END;
CREATE TRIGGER idea_events_no_delete BEFORE DELETE ON idea_events
BEGIN
    SELECT RAISE(ABORT, 'idea history events are append-only');
END;
