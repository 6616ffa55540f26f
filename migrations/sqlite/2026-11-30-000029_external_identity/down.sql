DROP INDEX users_external_identity;
ALTER TABLE users DROP COLUMN external_subject;
ALTER TABLE users DROP COLUMN identity_issuer;
