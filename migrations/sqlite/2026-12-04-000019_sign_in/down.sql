DROP TABLE sign_in_pending;
DROP TABLE sign_in_identities;
DROP TABLE sign_in_configs;
