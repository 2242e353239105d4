-- Back to one row per organisation for the ideas' counter (the sum of its rows) and to
-- the functions of 000021 and 000023.
CREATE TEMPORARY TABLE report_versions_sum AS
    SELECT org_id, SUM(ideas_version)::BIGINT AS ideas_version FROM report_versions GROUP BY org_id;
DELETE FROM report_versions;
ALTER TABLE report_versions DROP CONSTRAINT report_versions_pkey;
ALTER TABLE report_versions DROP COLUMN shard;
ALTER TABLE report_versions ADD PRIMARY KEY (org_id);
INSERT INTO report_versions (org_id, ideas_version) SELECT org_id, ideas_version FROM report_versions_sum;
DROP TABLE report_versions_sum;

CREATE OR REPLACE FUNCTION report_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_versions (org_id, ideas_version)
        SELECT DISTINCT org_id, 1 FROM new_rows
        ON CONFLICT (org_id) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO report_versions (org_id, ideas_version)
        SELECT DISTINCT org_id, 1 FROM old_rows
        ON CONFLICT (org_id) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    ELSE
        INSERT INTO report_versions (org_id, ideas_version)
        SELECT DISTINCT org_id, 1 FROM (SELECT org_id FROM old_rows UNION SELECT org_id FROM new_rows) changed
        ON CONFLICT (org_id) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION report_versions_bump_ideas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_versions (org_id, ideas_version)
    SELECT DISTINCT n.org_id, 1
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.status IS DISTINCT FROM n.status OR o.unit_id IS DISTINCT FROM n.unit_id
       OR o.cycle IS DISTINCT FROM n.cycle OR o.created_at IS DISTINCT FROM n.created_at
       OR o.stage_entered_at IS DISTINCT FROM n.stage_entered_at OR o.org_id IS DISTINCT FROM n.org_id
    ON CONFLICT (org_id) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION participation_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION participation_versions_bump_people() RETURNS trigger LANGUAGE plpgsql AS $$
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
