-- One version per statistics year, bumped with energy_meta.usage_version by every write of that year's
-- energy_usage or energy_org_years rows: aggregates of other years (last year, the 2020 baseline) stay cached while
-- this year's figures change.
CREATE TABLE energy_usage_versions (
    year    INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
