-- Less work for each idea written: fewer index entries.
-- Twin of ../../postgres/2026-11-27-000010_idea_write_path/up.sql (which says why). The
-- indexes are the same; PostgreSQL also merges each idea row's two key checks (idea,
-- organisation) into one on (org_id, idea_id), which SQLite would need every idea table
-- rebuilt for, and SQLite's key checks take no row locks that writers contend for.
DROP INDEX ideas_owner_idx;
CREATE INDEX ideas_owner_idx ON ideas (owner_id, id) WHERE owner_id IS NOT NULL;
DROP INDEX ideas_code_word_idx;
CREATE INDEX ideas_code_word_idx ON ideas (org_id, code_word) WHERE code_word IS NOT NULL;
DROP INDEX idea_dimensions_adopted_idx;
CREATE INDEX idea_dimensions_adopted_idx ON idea_dimensions
    (org_id, adopted_at, dimension_key, unit_id, adopted_hours_saved, adopted_cost_saved)
    WHERE adopted_at IS NOT NULL;
DROP INDEX ideas_author_idx;
DROP INDEX ideas_author_created_idx;
CREATE INDEX ideas_author_idx ON ideas (author_id, created_at, id);
