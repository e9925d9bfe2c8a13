-- Which limit a warning breaks (issue 14: a unit was labelled 超定额 at 81–97 % of its total because a per-m² or
-- per-person constraint value was exceeded): comma-separated codes — total_kgce and total_water (the annual
-- quotas), or the indicator of a quota standard (per_area_kgce, per_capita_kgce, …).
ALTER TABLE energy_quota_warnings ADD COLUMN limits TEXT NOT NULL DEFAULT '';
