DROP INDEX mail_messages_dedupe_idx;
CREATE UNIQUE INDEX mail_messages_dedupe_idx ON mail_messages (dedupe_key);
