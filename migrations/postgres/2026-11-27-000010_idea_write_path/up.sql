-- Less work for each idea written: fewer index entries, fewer key checks, and none of
-- them share-locks the organisation's row.
-- Twin of ../../sqlite/2026-11-27-000010_idea_write_path/up.sql: the indexes are the
-- same there; the keys are PostgreSQL's only (see there).
--
-- Columns that are empty when an idea is submitted (owner, code word, adoption) are
-- indexed only where they are set: a submission adds no entry to these indexes (the code
-- word index held one long run of equal (org_id, NULL) keys that every submission
-- rewrote). Their lookups (owner_id = ..., code_word = ..., adopted_at > ...) imply
-- NOT NULL, so both planners still use them.
DROP INDEX ideas_owner_idx;
CREATE INDEX ideas_owner_idx ON ideas (owner_id, id) WHERE owner_id IS NOT NULL;
DROP INDEX ideas_code_word_idx;
CREATE INDEX ideas_code_word_idx ON ideas (org_id, code_word) WHERE code_word IS NOT NULL;
DROP INDEX idea_dimensions_adopted_idx;
CREATE INDEX idea_dimensions_adopted_idx ON idea_dimensions
    (org_id, adopted_at, dimension_key, unit_id, adopted_hours_saved, adopted_cost_saved)
    WHERE adopted_at IS NOT NULL;
-- One index of a person's ideas instead of two: the author filter of the list reads the
-- ids, participation since a date the times.
DROP INDEX ideas_author_idx;
DROP INDEX ideas_author_created_idx;
CREATE INDEX ideas_author_idx ON ideas (author_id, created_at, id);

-- Rows of an idea name it together with its organisation: one check (org_id, idea_id)
-- -> ideas (org_id, id) instead of two (idea, organisation), and a row can no longer
-- name another organisation than its idea's. Every check on organizations(id)
-- share-locked the organisation's one row, which all concurrent submissions and votes
-- of the organisation contend for; an idea's own organisation follows from its unit
-- ((org_id, unit_id) -> units (org_id, id), whose org_id is a key of organizations).
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_fkey;
ALTER TABLE idea_cycles DROP CONSTRAINT idea_cycles_idea_id_fkey,
    DROP CONSTRAINT idea_cycles_org_id_fkey,
    ADD CONSTRAINT idea_cycles_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_dimensions DROP CONSTRAINT idea_dimensions_idea_id_fkey,
    DROP CONSTRAINT idea_dimensions_org_id_fkey,
    ADD CONSTRAINT idea_dimensions_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_idea_id_fkey,
    DROP CONSTRAINT idea_coauthors_org_id_fkey,
    ADD CONSTRAINT idea_coauthors_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_events DROP CONSTRAINT idea_events_idea_id_fkey,
    DROP CONSTRAINT idea_events_org_id_fkey,
    ADD CONSTRAINT idea_events_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_idea_id_fkey,
    DROP CONSTRAINT idea_votes_org_id_fkey,
    ADD CONSTRAINT idea_votes_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_idea_id_fkey,
    DROP CONSTRAINT idea_comments_org_id_fkey,
    ADD CONSTRAINT idea_comments_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_stage_spans DROP CONSTRAINT idea_stage_spans_idea_id_fkey,
    DROP CONSTRAINT idea_stage_spans_org_id_fkey,
    ADD CONSTRAINT idea_stage_spans_idea_fkey FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
