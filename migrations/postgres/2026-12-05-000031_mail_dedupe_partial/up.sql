-- Only the scheduler's mails carry a dedupe key (round reminders, ideas waiting too long);
-- every submitted idea's mail has none. The unique index held a NULL entry for each of
-- them, one more B-tree written in every submission's commit (issue 17, part 1). It now
-- holds the keyed rows only; `dedupe_key = ?` implies the index's condition, so the
-- once-only check still uses it, and uniqueness among the keys is unchanged.
DROP INDEX mail_messages_dedupe_idx;
CREATE UNIQUE INDEX mail_messages_dedupe_idx ON mail_messages (dedupe_key) WHERE dedupe_key IS NOT NULL;
