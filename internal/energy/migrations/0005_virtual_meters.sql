-- Virtual meters (role 'virtual'): a meter computed from other meters of its unit, each added or subtracted
-- (空调 = 总表 − 照明 − 动力). It takes no readings; its hourly, daily and monthly roll-ups are recomputed from its
-- terms' whenever theirs change, so charts, the sub-item breakdown and the balance read it like any meter. It never
-- counts as consumption.
CREATE TABLE energy_meter_terms (
	meter_id BIGINT NOT NULL REFERENCES energy_meters (id),
	term_id BIGINT NOT NULL REFERENCES energy_meters (id),
	sign SMALLINT NOT NULL CHECK (sign IN (-1, 1)),
	PRIMARY KEY (meter_id, term_id)
);
CREATE INDEX energy_meter_terms_term ON energy_meter_terms (term_id);
