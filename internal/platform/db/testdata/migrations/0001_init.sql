CREATE TABLE things (
	id {{ID}},
	name TEXT NOT NULL UNIQUE,
	path {{CTEXT}} NOT NULL DEFAULT '/',
	data {{BLOB}}
);
-- +sqlite
CREATE INDEX things_path ON things (path);
-- +postgres
CREATE INDEX things_path ON things (path);
