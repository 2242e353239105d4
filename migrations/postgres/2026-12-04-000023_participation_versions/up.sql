-- A second counter per organisation, for what the participation figure reads besides the
-- ideas themselves: votes, co-authors, authors of ideas and the people (active, unit).
-- Triggers move it in the same transaction as the change, so participation computed while
-- both counters stood still can be served again until one moves (`store::report_cache`).
-- Votes are the busiest write: the counter is spread over eight rows per organisation and
-- each statement moves one chosen at random, so concurrent votes seldom wait for each
-- other. The counter's value is the sum of its rows; every move adds one, so the sum
-- changes whenever any row does.
-- Twin of ../../sqlite/2026-12-04-000023_participation_versions/up.sql: keep both in step.

CREATE TABLE participation_versions (
    org_id TEXT NOT NULL,
    shard SMALLINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (org_id, shard)
);

CREATE FUNCTION participation_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s SMALLINT := floor(random() * 8)::SMALLINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO participation_versions (org_id, shard, version)
        SELECT DISTINCT org_id, s, 1 FROM new_rows
        ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO participation_versions (org_id, shard, version)
        SELECT DISTINCT org_id, s, 1 FROM old_rows
        ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1;
    ELSE
        INSERT INTO participation_versions (org_id, shard, version)
        SELECT DISTINCT org_id, s, 1 FROM (SELECT org_id FROM old_rows UNION SELECT org_id FROM new_rows) changed
        ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1;
    END IF;
    RETURN NULL;
END
$$;

-- A person counts when active and in scope (unit); an idea's author may change (erasure).
CREATE FUNCTION participation_versions_bump_people() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s SMALLINT := floor(random() * 8)::SMALLINT;
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        INSERT INTO participation_versions (org_id, shard, version)
        SELECT DISTINCT c.org_id, s, 1
        FROM (SELECT n.org_id AS new_org, o.org_id AS old_org
              FROM new_rows n JOIN old_rows o ON o.id = n.id
              WHERE o.active IS DISTINCT FROM n.active OR o.unit_id IS DISTINCT FROM n.unit_id
                 OR o.org_id IS DISTINCT FROM n.org_id) ch
        CROSS JOIN LATERAL (VALUES (ch.new_org), (ch.old_org)) AS c (org_id)
        ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1;
    ELSE
        INSERT INTO participation_versions (org_id, shard, version)
        SELECT DISTINCT n.org_id, s, 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.author_id IS DISTINCT FROM n.author_id
        ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER participation_versions_votes_insert AFTER INSERT ON idea_votes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();
CREATE TRIGGER participation_versions_votes_update AFTER UPDATE ON idea_votes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();
CREATE TRIGGER participation_versions_votes_delete AFTER DELETE ON idea_votes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();

CREATE TRIGGER participation_versions_coauthors_insert AFTER INSERT ON idea_coauthors
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();
CREATE TRIGGER participation_versions_coauthors_update AFTER UPDATE ON idea_coauthors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();
CREATE TRIGGER participation_versions_coauthors_delete AFTER DELETE ON idea_coauthors
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();

CREATE TRIGGER participation_versions_users_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();
CREATE TRIGGER participation_versions_users_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump_people();
CREATE TRIGGER participation_versions_users_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump();

-- New and deleted ideas (and their submission time) already move `ideas_version`.
CREATE TRIGGER participation_versions_authors_update AFTER UPDATE ON ideas
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_versions_bump_people();
