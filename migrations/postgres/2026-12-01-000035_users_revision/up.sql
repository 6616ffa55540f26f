-- Every authenticated request reads its user (active? the token's version
-- current? role and directorates). Each instance keeps the users it has
-- read, and trusts them while this revision, bumped in the transaction of
-- every change to a user, is the one it last read; it reads the revision
-- again at most a second after the last time.
CREATE TABLE users_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO users_revision (id, revision) VALUES (1, 0);

CREATE FUNCTION bump_users_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users_revision SET revision = revision + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_revision AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_users_revision();
