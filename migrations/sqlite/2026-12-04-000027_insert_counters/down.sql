-- The insert triggers of 000021 again.
CREATE TRIGGER report_versions_ideas_insert AFTER INSERT ON ideas
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = NEW.org_id;
END;

CREATE TRIGGER report_versions_dimensions_insert AFTER INSERT ON idea_dimensions
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id = NEW.org_id;
END;
