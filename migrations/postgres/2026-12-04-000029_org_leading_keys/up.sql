-- Keys that start with the organisation (issue 17, part 3). With a thousand Kommunen in
-- one database, a lookup by an idea's id, by an idea's child rows or by the caller's
-- session used indexes that lead with that id alone: correct, but keyed across every
-- organisation at once, and not the shape a database distributed by organisation needs
-- (a distributed PostgreSQL requires the distribution column in every unique key).
-- PostgreSQL prefers a key on `id` alone over `(org_id, id)` whenever both exist, so the
-- keys themselves change: each of these tables' primary key leads with `org_id`, no
-- index of theirs leads with the idea's or the session's id alone, and every statement
-- that reads them by key names the organisation as well (the code, same commit).
-- SQLite, one installation per file, keeps its keys (../../sqlite/…/up.sql).

-- Ideas: (org_id, id) was a unique key already, the target of every foreign key that
-- points at ideas; it becomes the primary key, and the key on `id` alone goes. The
-- foreign keys are taken off the old unique key and put on the primary key.
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_duplicate_of_id_fkey;
ALTER TABLE idea_cycles DROP CONSTRAINT idea_cycles_idea_fkey;
ALTER TABLE idea_dimensions DROP CONSTRAINT idea_dimensions_idea_fkey;
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_idea_fkey;
ALTER TABLE idea_events DROP CONSTRAINT idea_events_idea_fkey;
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_idea_fkey;
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_idea_fkey;
ALTER TABLE idea_stage_spans DROP CONSTRAINT idea_stage_spans_idea_fkey;

ALTER TABLE ideas DROP CONSTRAINT ideas_pkey;
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_id_key;
ALTER TABLE ideas ADD CONSTRAINT ideas_pkey PRIMARY KEY (org_id, id);

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

-- An idea's child rows: keyed by organisation, idea, and their own part.
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_pkey;
ALTER TABLE idea_votes ADD CONSTRAINT idea_votes_pkey PRIMARY KEY (org_id, idea_id, user_id);
DROP INDEX idea_votes_user_idx;
CREATE INDEX idea_votes_user_idx ON idea_votes (org_id, user_id, idea_id);

ALTER TABLE idea_dimensions DROP CONSTRAINT idea_dimensions_pkey;
ALTER TABLE idea_dimensions ADD CONSTRAINT idea_dimensions_pkey PRIMARY KEY (org_id, idea_id, dimension_key);

ALTER TABLE idea_cycles DROP CONSTRAINT idea_cycles_pkey;
ALTER TABLE idea_cycles ADD CONSTRAINT idea_cycles_pkey PRIMARY KEY (org_id, idea_id, cycle);

ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_pkey;
ALTER TABLE idea_coauthors ADD CONSTRAINT idea_coauthors_pkey PRIMARY KEY (org_id, idea_id, user_id);
DROP INDEX idea_coauthors_user_idx;
CREATE INDEX idea_coauthors_user_idx ON idea_coauthors (org_id, user_id, idea_id);

-- Sessions: every request reads the caller's session by the id in its token, which
-- names the organisation as well.
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey;
ALTER TABLE sessions ADD CONSTRAINT sessions_pkey PRIMARY KEY (org_id, id);

-- A person's ideas, votes and ownerships, as the lists' filters and the participation
-- figure read them: within the organisation.
DROP INDEX ideas_author_idx;
CREATE INDEX ideas_author_idx ON ideas (org_id, author_id, created_at, id);
DROP INDEX ideas_owner_idx;
CREATE INDEX ideas_owner_idx ON ideas (org_id, owner_id, id) WHERE owner_id IS NOT NULL;
DROP INDEX idea_votes_user_created_idx;
CREATE INDEX idea_votes_user_created_idx ON idea_votes (org_id, user_id, created_at);
