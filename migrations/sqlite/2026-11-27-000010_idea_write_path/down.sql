DROP INDEX ideas_author_idx;
CREATE INDEX ideas_author_idx ON ideas (author_id, id);
CREATE INDEX ideas_author_created_idx ON ideas (author_id, created_at);
DROP INDEX idea_dimensions_adopted_idx;
CREATE INDEX idea_dimensions_adopted_idx ON idea_dimensions
    (org_id, adopted_at, dimension_key, unit_id, adopted_hours_saved, adopted_cost_saved);
DROP INDEX ideas_code_word_idx;
CREATE INDEX ideas_code_word_idx ON ideas (org_id, code_word);
DROP INDEX ideas_owner_idx;
CREATE INDEX ideas_owner_idx ON ideas (owner_id, id);
