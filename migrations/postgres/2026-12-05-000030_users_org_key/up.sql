-- The caller's account is found by the organisation as well (issue 17, part 3). Every
-- request reads it, and with a thousand Kommunen in one database the key on `users.id`
-- alone was the last index on a hot path that did not lead with the organisation.
-- PostgreSQL prefers that smaller key whenever both exist, so the key on `id` alone goes
-- and `(org_id, id)` (a unique key already, the target of six foreign keys) becomes the
-- primary key. Every foreign key that pointed at `users (id)` now points at
-- `(org_id, id)`; the two tables that had no organisation of their own get one.
-- SQLite, one installation per file, keeps its keys (../../sqlite/…/up.sql adds the two
-- columns only).

ALTER TABLE refresh_tokens ADD COLUMN org_id TEXT REFERENCES organizations (id);
UPDATE refresh_tokens t SET org_id = u.org_id FROM users u WHERE u.id = t.user_id;
ALTER TABLE refresh_tokens ALTER COLUMN org_id SET NOT NULL;
DROP INDEX refresh_tokens_user_idx;
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (org_id, user_id);

ALTER TABLE assessment_participation ADD COLUMN org_id TEXT REFERENCES organizations (id);
UPDATE assessment_participation p SET org_id = r.org_id FROM assessment_rounds r WHERE r.id = p.round_id;
ALTER TABLE assessment_participation ALTER COLUMN org_id SET NOT NULL;

-- Off `users (id)`.
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_user_id_fkey;
ALTER TABLE assessment_rounds DROP CONSTRAINT assessment_rounds_created_by_fkey;
ALTER TABLE assessment_participation DROP CONSTRAINT assessment_participation_user_id_fkey;
ALTER TABLE idea_events DROP CONSTRAINT idea_events_actor_id_fkey;
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_author_id_fkey;
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_deleted_by_fkey;
ALTER TABLE sign_in_identities DROP CONSTRAINT sign_in_identities_user_id_fkey;
ALTER TABLE mail_preferences DROP CONSTRAINT mail_preferences_user_id_fkey;
-- Off the unique key `(org_id, id)`, to be put on the primary key.
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_author_id_fkey;
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_owner_id_fkey;
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_org_id_user_id_fkey;
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_org_id_user_id_fkey;
ALTER TABLE reassessment_schedules DROP CONSTRAINT reassessment_schedules_org_id_configured_by_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_org_id_user_id_fkey;

ALTER TABLE users DROP CONSTRAINT users_pkey;
ALTER TABLE users DROP CONSTRAINT users_org_id_id_key;
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (org_id, id);
-- The same columns as the primary key.
DROP INDEX users_org_idx;
-- Login looks an address up within the organisation (`users_org_email_key`); this one
-- was used by nothing, and the planner could prefer it.
DROP INDEX users_email_idx;
-- A unit's people, always within the organisation.
DROP INDEX users_unit_idx;
CREATE INDEX users_unit_idx ON users (org_id, unit_id);

ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_user_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
ALTER TABLE assessment_rounds ADD CONSTRAINT assessment_rounds_created_by_fkey
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id);
ALTER TABLE assessment_participation ADD CONSTRAINT assessment_participation_user_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
ALTER TABLE idea_events ADD CONSTRAINT idea_events_actor_fkey
    FOREIGN KEY (org_id, actor_id) REFERENCES users (org_id, id);
ALTER TABLE idea_comments ADD CONSTRAINT idea_comments_author_fkey
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id);
ALTER TABLE idea_comments ADD CONSTRAINT idea_comments_deleted_by_fkey
    FOREIGN KEY (org_id, deleted_by) REFERENCES users (org_id, id);
ALTER TABLE sign_in_identities ADD CONSTRAINT sign_in_identities_user_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
ALTER TABLE mail_preferences ADD CONSTRAINT mail_preferences_user_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE;
ALTER TABLE ideas ADD CONSTRAINT ideas_org_id_author_id_fkey
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id);
ALTER TABLE ideas ADD CONSTRAINT ideas_org_id_owner_id_fkey
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id);
ALTER TABLE idea_coauthors ADD CONSTRAINT idea_coauthors_org_id_user_id_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
ALTER TABLE idea_votes ADD CONSTRAINT idea_votes_org_id_user_id_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
ALTER TABLE reassessment_schedules ADD CONSTRAINT reassessment_schedules_org_id_configured_by_fkey
    FOREIGN KEY (org_id, configured_by) REFERENCES users (org_id, id);
ALTER TABLE sessions ADD CONSTRAINT sessions_org_id_user_id_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
