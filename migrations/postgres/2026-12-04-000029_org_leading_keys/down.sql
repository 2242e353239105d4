-- Back to the keys of 000028: ideas keyed by id (with (org_id, id) as the target of the
-- foreign keys), child rows by idea, sessions by id, a person's rows by the person.
DROP INDEX idea_votes_user_created_idx;
CREATE INDEX idea_votes_user_created_idx ON idea_votes (user_id, created_at);
DROP INDEX ideas_owner_idx;
CREATE INDEX ideas_owner_idx ON ideas (owner_id, id) WHERE owner_id IS NOT NULL;
DROP INDEX ideas_author_idx;
CREATE INDEX ideas_author_idx ON ideas (author_id, created_at, id);

ALTER TABLE sessions DROP CONSTRAINT sessions_pkey;
ALTER TABLE sessions ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

DROP INDEX idea_coauthors_user_idx;
CREATE INDEX idea_coauthors_user_idx ON idea_coauthors (user_id, idea_id);
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_pkey;
ALTER TABLE idea_coauthors ADD CONSTRAINT idea_coauthors_pkey PRIMARY KEY (idea_id, user_id);

ALTER TABLE idea_cycles DROP CONSTRAINT idea_cycles_pkey;
ALTER TABLE idea_cycles ADD CONSTRAINT idea_cycles_pkey PRIMARY KEY (idea_id, cycle);

ALTER TABLE idea_dimensions DROP CONSTRAINT idea_dimensions_pkey;
ALTER TABLE idea_dimensions ADD CONSTRAINT idea_dimensions_pkey PRIMARY KEY (idea_id, dimension_key);

DROP INDEX idea_votes_user_idx;
CREATE INDEX idea_votes_user_idx ON idea_votes (user_id, idea_id);
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_pkey;
ALTER TABLE idea_votes ADD CONSTRAINT idea_votes_pkey PRIMARY KEY (idea_id, user_id);

ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_duplicate_of_id_fkey;
ALTER TABLE idea_cycles DROP CONSTRAINT idea_cycles_idea_fkey;
ALTER TABLE idea_dimensions DROP CONSTRAINT idea_dimensions_idea_fkey;
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_idea_fkey;
ALTER TABLE idea_events DROP CONSTRAINT idea_events_idea_fkey;
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_idea_fkey;
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_idea_fkey;
ALTER TABLE idea_stage_spans DROP CONSTRAINT idea_stage_spans_idea_fkey;

ALTER TABLE ideas DROP CONSTRAINT ideas_pkey;
ALTER TABLE ideas ADD CONSTRAINT ideas_pkey PRIMARY KEY (id);
ALTER TABLE ideas ADD CONSTRAINT ideas_org_id_id_key UNIQUE (org_id, id);

ALTER TABLE ideas ADD CONSTRAINT ideas_org_id_duplicate_of_id_fkey
    FOREIGN KEY (org_id, duplicate_of_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_cycles ADD CONSTRAINT idea_cycles_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_dimensions ADD CONSTRAINT idea_dimensions_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_coauthors ADD CONSTRAINT idea_coauthors_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_events ADD CONSTRAINT idea_events_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_votes ADD CONSTRAINT idea_votes_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_comments ADD CONSTRAINT idea_comments_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
ALTER TABLE idea_stage_spans ADD CONSTRAINT idea_stage_spans_idea_fkey
    FOREIGN KEY (org_id, idea_id) REFERENCES ideas (org_id, id);
