-- users.failed_logins and users.locked_until have not been used since the sign-in counters moved to auth_throttle
-- (0002): a lock kept on the account row would say that the account exists. Drop them so nobody reads a stale value.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
