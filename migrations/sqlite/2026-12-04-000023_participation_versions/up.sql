-- A second counter per organisation, for what the participation figure reads besides the
-- ideas themselves: votes, co-authors, authors of ideas and the people (active, unit).
-- Triggers move it in the same transaction as the change, so participation computed while
-- both counters stood still can be served again until one moves (`store::report_cache`).
-- PostgreSQL spreads the counter over eight rows per organisation so that concurrent
-- votes seldom wait for each other; SQLite writes one at a time and uses one row. The
-- counter's value is the sum of its rows.
-- Twin of ../../postgres/2026-12-04-000023_participation_versions/up.sql: keep both in step.

CREATE TABLE participation_versions (
    org_id TEXT NOT NULL,
    shard SMALLINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (org_id, shard)
);

CREATE TRIGGER participation_versions_votes_insert AFTER INSERT ON idea_votes
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_votes_update AFTER UPDATE ON idea_votes
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (OLD.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_votes_delete AFTER DELETE ON idea_votes
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (OLD.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_coauthors_insert AFTER INSERT ON idea_coauthors
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_coauthors_update AFTER UPDATE ON idea_coauthors
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (OLD.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_coauthors_delete AFTER DELETE ON idea_coauthors
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (OLD.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_users_insert AFTER INSERT ON users
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

-- A person counts when active and in scope (unit).
CREATE TRIGGER participation_versions_users_update AFTER UPDATE ON users
WHEN OLD.active IS NOT NEW.active OR OLD.unit_id IS NOT NEW.unit_id OR OLD.org_id IS NOT NEW.org_id
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (OLD.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER participation_versions_users_delete AFTER DELETE ON users
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (OLD.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;

-- An idea's author may change (erasure); new and deleted ideas and their submission time
-- already move `ideas_version`.
CREATE TRIGGER participation_versions_authors_update AFTER UPDATE ON ideas
WHEN OLD.author_id IS NOT NEW.author_id
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;
