-- Meter data that arrives for a statistics year whose figures are locked (the unit's 基层表 is approved) still rolls
-- up into the meter's own hourly, daily and monthly figures, but the unit's yearly figures stay as approved. Each
-- such (unit, year, type) is held here until the report is reopened, when the figures are recomputed.
CREATE TABLE energy_usage_held (
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    year        INTEGER NOT NULL,
    energy_type TEXT NOT NULL,
    since       BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, energy_type)
);
