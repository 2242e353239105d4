ALTER TABLE ideas ADD CONSTRAINT ideas_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_cycles DROP CONSTRAINT idea_cycles_idea_fkey,
    ADD CONSTRAINT idea_cycles_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_cycles_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_dimensions DROP CONSTRAINT idea_dimensions_idea_fkey,
    ADD CONSTRAINT idea_dimensions_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_dimensions_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_idea_fkey,
    ADD CONSTRAINT idea_coauthors_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_coauthors_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_events DROP CONSTRAINT idea_events_idea_fkey,
    ADD CONSTRAINT idea_events_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_events_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_idea_fkey,
    ADD CONSTRAINT idea_votes_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_votes_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_idea_fkey,
    ADD CONSTRAINT idea_comments_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_comments_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
ALTER TABLE idea_stage_spans DROP CONSTRAINT idea_stage_spans_idea_fkey,
    ADD CONSTRAINT idea_stage_spans_idea_id_fkey FOREIGN KEY (idea_id) REFERENCES ideas (id),
    ADD CONSTRAINT idea_stage_spans_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id);
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
