-- The display name of who made the change, as it was then, so the history reads "吴超", not "employee" (empty for
-- the system's own work and for lines written before this column: the username is shown then).
ALTER TABLE object_history ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
