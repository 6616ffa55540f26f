-- Users provisioned from an external identity provider (OpenID Connect):
-- the provider's issuer and the subject it names the user by (Entra ID's
-- `oid`, else `sub`). Both NULL for Redress's own users; the unique index
-- makes provisioning an insert-or-fetch that concurrent sign-ins (several
-- instances) cannot double.
ALTER TABLE users ADD COLUMN identity_issuer TEXT;
ALTER TABLE users ADD COLUMN external_subject TEXT;
CREATE UNIQUE INDEX users_external_identity ON users (identity_issuer, external_subject);
