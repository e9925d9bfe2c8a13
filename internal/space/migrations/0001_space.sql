-- The register of office space. The space module owns these tables; other modules (energy meters, assets, meeting
-- rooms) refer to buildings and rooms by id and read them through the exported query functions.
CREATE TABLE buildings (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	name TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	built_year INTEGER NOT NULL DEFAULT 0,
	floors INTEGER NOT NULL DEFAULT 0,
	gross_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (gross_area_m2 >= 0),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disposed')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX buildings_org ON buildings (org_id);
