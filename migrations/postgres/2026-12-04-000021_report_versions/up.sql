-- A counter per organisation that every change to what the reports aggregate over ideas
-- moves on, in the same transaction: new, changed and deleted ideas (stage, unit, cycle,
-- submission time), their cycles, their finished stage stays and their dimension links.
-- A report's figures computed while the counter stood still are exactly the figures of
-- that counter value, so they can be served again as long as it has not moved — from any
-- instance, whichever code path (or SQL) changed the ideas.
-- Twin of ../../sqlite/2026-12-04-000021_report_versions/up.sql: keep both in step.

CREATE TABLE report_versions (
    org_id TEXT PRIMARY KEY NOT NULL,
    ideas_version BIGINT NOT NULL
);

INSERT INTO report_versions (org_id, ideas_version) SELECT id, 1 FROM organizations;

CREATE FUNCTION report_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO report_versions (org_id, ideas_version) VALUES (OLD.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.org_id IS DISTINCT FROM OLD.org_id) THEN
        INSERT INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET ideas_version = report_versions.ideas_version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_versions_ideas_insert_delete AFTER INSERT OR DELETE ON ideas
    FOR EACH ROW EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_ideas_update AFTER UPDATE ON ideas
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
          OR OLD.cycle IS DISTINCT FROM NEW.cycle OR OLD.created_at IS DISTINCT FROM NEW.created_at
          OR OLD.stage_entered_at IS DISTINCT FROM NEW.stage_entered_at
          OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_cycles AFTER INSERT OR UPDATE OR DELETE ON idea_cycles
    FOR EACH ROW EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_spans AFTER INSERT OR UPDATE OR DELETE ON idea_stage_spans
    FOR EACH ROW EXECUTE FUNCTION report_versions_bump();
CREATE TRIGGER report_versions_dimensions AFTER INSERT OR UPDATE OR DELETE ON idea_dimensions
    FOR EACH ROW EXECUTE FUNCTION report_versions_bump();
