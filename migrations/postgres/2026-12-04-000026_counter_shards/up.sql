-- The ideas' counter of 000021 spread over eight rows per organisation, as the people's
-- counter of 000023 is: every new idea moved the one row of its organisation, so
-- concurrent submissions waited for each other's commit. Its value is the sum of the rows.
-- Both counters now pick their row by the transaction's id, not at random per statement:
-- all statements of one transaction move the same row (one lock per transaction, so two
-- transactions never wait for each other in opposite order), and consecutive
-- transactions move different rows.
-- SQLite writes one transaction at a time and keeps one row (its twin changes nothing).

ALTER TABLE report_versions ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE report_versions DROP CONSTRAINT report_versions_pkey;
ALTER TABLE report_versions ADD PRIMARY KEY (org_id, shard);

CREATE OR REPLACE FUNCTION report_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s SMALLINT := (txid_current() % 8)::SMALLINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_versions (org_id, shard, ideas_version)
        SELECT DISTINCT org_id, s, 1 FROM new_rows
        ON CONFLICT (org_id, shard) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO report_versions (org_id, shard, ideas_version)
        SELECT DISTINCT org_id, s, 1 FROM old_rows
        ON CONFLICT (org_id, shard) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    ELSE
        INSERT INTO report_versions (org_id, shard, ideas_version)
        SELECT DISTINCT org_id, s, 1 FROM (SELECT org_id FROM old_rows UNION SELECT org_id FROM new_rows) changed
        ON CONFLICT (org_id, shard) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION report_versions_bump_ideas() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s SMALLINT := (txid_current() % 8)::SMALLINT;
BEGIN
    INSERT INTO report_versions (org_id, shard, ideas_version)
    SELECT DISTINCT n.org_id, s, 1
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.status IS DISTINCT FROM n.status OR o.unit_id IS DISTINCT FROM n.unit_id
       OR o.cycle IS DISTINCT FROM n.cycle OR o.created_at IS DISTINCT FROM n.created_at
       OR o.stage_entered_at IS DISTINCT FROM n.stage_entered_at OR o.org_id IS DISTINCT FROM n.org_id
    ON CONFLICT (org_id, shard) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION participation_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s SMALLINT := (txid_current() % 8)::SMALLINT;
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

CREATE OR REPLACE FUNCTION participation_versions_bump_people() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s SMALLINT := (txid_current() % 8)::SMALLINT;
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
