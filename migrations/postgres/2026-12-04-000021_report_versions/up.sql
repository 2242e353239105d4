-- A counter per organisation that every change to what the reports aggregate over ideas
-- moves on, in the same transaction: new, changed and deleted ideas (stage, unit, cycle,
-- submission time), their cycles, their finished stage stays and their dimension links.
-- A report's figures computed while the counter stood still are exactly the figures of
-- that counter value, so they can be served again as long as it has not moved — from any
-- instance, whichever code path (or SQL) changed the ideas.
-- Twin of ../../sqlite/2026-12-04-000021_report_versions/up.sql: keep both in step.
--
-- Statement-level triggers with transition tables: one counter update per statement and
-- organisation. Row-level triggers would update the same counter row once per row, and a
-- transaction that writes many rows (a bulk load by COPY) would leave a chain of row
-- versions that every further update walks (quadratic).

CREATE TABLE report_versions (
    org_id TEXT PRIMARY KEY NOT NULL,
    ideas_version BIGINT NOT NULL
);

INSERT INTO report_versions (org_id, ideas_version) SELECT id, 1 FROM organizations;

-- Any inserted, updated or deleted row moves its organisation's counter.
CREATE FUNCTION report_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- An idea's update moves the counter only when a column the reports read changed (not
-- for votes and comments, which update the idea's counts).
CREATE FUNCTION report_versions_bump_ideas() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER report_versions_ideas_insert AFTER INSERT ON ideas
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_ideas_update AFTER UPDATE ON ideas
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump_ideas();
CREATE TRIGGER report_versions_ideas_delete AFTER DELETE ON ideas
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();

CREATE TRIGGER report_versions_cycles_insert AFTER INSERT ON idea_cycles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_cycles_update AFTER UPDATE ON idea_cycles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_cycles_delete AFTER DELETE ON idea_cycles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();

CREATE TRIGGER report_versions_spans_insert AFTER INSERT ON idea_stage_spans
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_spans_update AFTER UPDATE ON idea_stage_spans
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_spans_delete AFTER DELETE ON idea_stage_spans
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();

CREATE TRIGGER report_versions_dimensions_insert AFTER INSERT ON idea_dimensions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_dimensions_update AFTER UPDATE ON idea_dimensions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_dimensions_delete AFTER DELETE ON idea_dimensions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_versions_bump();
