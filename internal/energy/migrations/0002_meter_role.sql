-- A meter's role: '' measures the unit's consumption; 'export' is a grid-export point (上网关口表, e.g. the export
-- meter of a rooftop PV system): its readings are kept and charted but never count as consumption.
ALTER TABLE energy_meters ADD COLUMN role TEXT NOT NULL DEFAULT '';
