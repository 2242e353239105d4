-- Whether an address the provider does not state as verified may be trusted (issue 15):
-- an ID token with `email_verified: false` is never trusted (no account is made or linked
-- by its address); this column decides for tokens without the claim. Default: trusted,
-- because Microsoft Entra ID never sends the claim (see README, "E-Mail-Bestätigung").
-- Twin of ../../postgres/2026-12-04-000024_sign_in_email_verified/up.sql: keep both in step.

ALTER TABLE sign_in_configs ADD COLUMN trust_email_without_verified BOOLEAN NOT NULL DEFAULT TRUE;
