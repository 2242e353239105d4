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

-- The update triggers of 000021 and 000023 again, watching every column.
DROP TRIGGER report_versions_ideas_update;
CREATE TRIGGER report_versions_ideas_update AFTER UPDATE ON ideas
WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id OR OLD.cycle IS NOT NEW.cycle
  OR OLD.created_at IS NOT NEW.created_at OR OLD.stage_entered_at IS NOT NEW.stage_entered_at
  OR OLD.org_id IS NOT NEW.org_id
BEGIN
    INSERT OR IGNORE INTO report_versions (org_id, ideas_version) VALUES (NEW.org_id, 0);
    UPDATE report_versions SET ideas_version = ideas_version + 1 WHERE org_id IN (OLD.org_id, NEW.org_id);
END;

DROP TRIGGER participation_versions_authors_update;
CREATE TRIGGER participation_versions_authors_update AFTER UPDATE ON ideas
WHEN OLD.author_id IS NOT NEW.author_id
BEGIN
    INSERT INTO participation_versions (org_id, shard, version) VALUES (NEW.org_id, 0, 1)
    ON CONFLICT (org_id, shard) DO UPDATE SET version = version + 1;
END;
