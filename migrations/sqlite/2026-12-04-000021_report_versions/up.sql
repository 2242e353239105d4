-- A counter per organisation that every change to what the reports aggregate over ideas
-- moves on, in the same transaction: new, changed and deleted ideas (stage, unit, cycle,
-- submission time), their cycles, their finished stage stays and their dimension links.
-- A report's figures computed while the counter stood still are exactly the figures of
-- that counter value, so they can be served again as long as it has not moved — from any
-- instance, whichever code path (or SQL) changed the ideas.
-- Twin of ../../postgres/2026-12-04-000021_report_versions/up.sql: keep both in step.

CREATE TABLE report_versions (
    org_id TEXT PRIMARY KEY NOT NULL,
    ideas_version BIGINT NOT NULL
);

INSERT INTO report_versions (org_id, ideas_version) SELECT id, 1 FROM organizations;

CREATE TRIGGER report_versions_ideas_insert AFTER INSERT ON ideas
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = NEW.org_id;
END;

CREATE TRIGGER report_versions_ideas_update AFTER UPDATE ON ideas
WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id OR OLD.cycle IS NOT NEW.cycle
  OR OLD.created_at IS NOT NEW.created_at OR OLD.stage_entered_at IS NOT NEW.stage_entered_at
  OR OLD.org_id IS NOT NEW.org_id
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id IN (OLD.org_id, NEW.org_id);
END;

CREATE TRIGGER report_versions_ideas_delete AFTER DELETE ON ideas
BEGIN
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = OLD.org_id;
END;

CREATE TRIGGER report_versions_cycles_insert AFTER INSERT ON idea_cycles
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = NEW.org_id;
END;

CREATE TRIGGER report_versions_cycles_update AFTER UPDATE ON idea_cycles
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id IN (OLD.org_id, NEW.org_id);
END;

CREATE TRIGGER report_versions_cycles_delete AFTER DELETE ON idea_cycles
BEGIN
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = OLD.org_id;
END;

CREATE TRIGGER report_versions_spans_insert AFTER INSERT ON idea_stage_spans
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = NEW.org_id;
END;

CREATE TRIGGER report_versions_spans_update AFTER UPDATE ON idea_stage_spans
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id IN (OLD.org_id, NEW.org_id);
END;

CREATE TRIGGER report_versions_spans_delete AFTER DELETE ON idea_stage_spans
BEGIN
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = OLD.org_id;
END;

CREATE TRIGGER report_versions_dimensions_insert AFTER INSERT ON idea_dimensions
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = NEW.org_id;
END;

CREATE TRIGGER report_versions_dimensions_update AFTER UPDATE ON idea_dimensions
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id IN (OLD.org_id, NEW.org_id);
END;

CREATE TRIGGER report_versions_dimensions_delete AFTER DELETE ON idea_dimensions
BEGIN
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = OLD.org_id;
END;
