DROP TRIGGER users_revision ON users;
DROP FUNCTION bump_users_revision();
DROP TABLE users_revision;
