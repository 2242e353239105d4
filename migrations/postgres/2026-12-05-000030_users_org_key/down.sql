-- Back to the key on `users.id` (see up.sql).
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_user_fkey;
ALTER TABLE assessment_rounds DROP CONSTRAINT assessment_rounds_created_by_fkey;
ALTER TABLE assessment_participation DROP CONSTRAINT assessment_participation_user_fkey;
ALTER TABLE idea_events DROP CONSTRAINT idea_events_actor_fkey;
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_author_fkey;
ALTER TABLE idea_comments DROP CONSTRAINT idea_comments_deleted_by_fkey;
ALTER TABLE sign_in_identities DROP CONSTRAINT sign_in_identities_user_fkey;
ALTER TABLE mail_preferences DROP CONSTRAINT mail_preferences_user_fkey;
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_author_id_fkey;
ALTER TABLE ideas DROP CONSTRAINT ideas_org_id_owner_id_fkey;
ALTER TABLE idea_coauthors DROP CONSTRAINT idea_coauthors_org_id_user_id_fkey;
ALTER TABLE idea_votes DROP CONSTRAINT idea_votes_org_id_user_id_fkey;
ALTER TABLE reassessment_schedules DROP CONSTRAINT reassessment_schedules_org_id_configured_by_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_org_id_user_id_fkey;

DROP INDEX users_unit_idx;
CREATE INDEX users_unit_idx ON users (unit_id);
CREATE INDEX users_org_idx ON users (org_id, id);
CREATE INDEX users_email_idx ON users (email);
ALTER TABLE users DROP CONSTRAINT users_pkey;
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE users ADD CONSTRAINT users_org_id_id_key UNIQUE (org_id, id);

ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE assessment_rounds ADD CONSTRAINT assessment_rounds_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE assessment_participation ADD CONSTRAINT assessment_participation_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE idea_events ADD CONSTRAINT idea_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users (id);
ALTER TABLE idea_comments ADD CONSTRAINT idea_comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES users (id);
ALTER TABLE idea_comments ADD CONSTRAINT idea_comments_deleted_by_fkey FOREIGN KEY (deleted_by) REFERENCES users (id);
ALTER TABLE sign_in_identities ADD CONSTRAINT sign_in_identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE mail_preferences ADD CONSTRAINT mail_preferences_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
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

ALTER TABLE assessment_participation DROP COLUMN org_id;
DROP INDEX refresh_tokens_user_idx;
ALTER TABLE refresh_tokens DROP COLUMN org_id;
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
