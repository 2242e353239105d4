-- Sign-in with the provider is throttled per client address (scope 'sso': a digest of the
-- address).
-- Twin of ../../sqlite/2026-12-04-000025_sso_throttle/up.sql: keep both in step.

ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_scope_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_scope_check
    CHECK (scope IN ('account', 'address', 'pair', 'sso'));
