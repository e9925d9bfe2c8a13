CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
	parent_code TEXT,
	full_name TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE orgs (
	id {{ID}},
	parent_id BIGINT REFERENCES orgs (id),
	path {{CTEXT}} NOT NULL,
	depth INTEGER NOT NULL,
	name TEXT NOT NULL,
	short_name TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('bureau', 'organ', 'institution', 'association', 'other')),
	admin_level TEXT NOT NULL CHECK (admin_level IN ('central', 'provincial', 'municipal', 'county', 'township')),
	region_code TEXT REFERENCES regions (code),
	credit_code TEXT UNIQUE,
	category TEXT NOT NULL DEFAULT 'organ' CHECK (category IN ('organ', 'higher_education', 'school', 'hospital', 'venue', 'other')),
	headcount INTEGER NOT NULL DEFAULT 0 CHECK (headcount >= 0),
	floor_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (floor_area_m2 >= 0),
	address TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
	sort INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX orgs_path ON orgs (path);
CREATE INDEX orgs_parent ON orgs (parent_id, sort, id);
CREATE INDEX orgs_name ON orgs (name);
CREATE INDEX orgs_region ON orgs (region_code);

CREATE TABLE people (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	code TEXT UNIQUE,
	name TEXT NOT NULL,
	gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('', 'male', 'female')),
	rank TEXT NOT NULL CHECK (rank IN ('minister', 'vice_minister', 'bureau_director', 'deputy_bureau_director',
		'division_director', 'deputy_division_director', 'section_chief', 'deputy_section_chief', 'staff')),
	position TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired', 'transferred')),
	status_since TEXT NOT NULL,
	-- org_path copies orgs.path of the person's unit (kept in step on every change and every move), so a scoped
	-- list is an index range instead of a join over the whole tree.
	org_path {{CTEXT}} NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX people_org ON people (org_id, name);
CREATE INDEX people_path ON people (org_path, status, name, id);
CREATE INDEX people_name ON people (name, id, org_path);
CREATE INDEX people_status ON people (status, status_since);

-- person_terms is the search index of people: every substring (up to 6 characters) of a name, with the unit path
-- and name, so "search within my scope" is one index range and the page can be ordered without reading people.
CREATE TABLE person_terms (
	term TEXT NOT NULL,
	org_path {{CTEXT}} NOT NULL,
	name TEXT NOT NULL,
	person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	PRIMARY KEY (term, org_path, person_id)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all
CREATE INDEX person_terms_person ON person_terms (person_id);
