DELETE FROM login_attempts WHERE scope = 'sso';
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_scope_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_scope_check
    CHECK (scope IN ('account', 'address', 'pair'));
