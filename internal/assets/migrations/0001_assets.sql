-- 资产 (state assets of administrative institutions) and the idle-asset pool (公物仓): asset cards, their numbering per
-- unit, pool listings and claims, disposal requests. docs/api.md §Assets and the idle-asset pool is the contract;
-- docs/domain/assets.md the rules. Money in fen; business dates as YYYY-MM-DD text; instants as Unix seconds.

-- The asset card (资产卡片, docs/domain/assets.md §Asset card): basic, financial and usage fields. org_id is the unit
-- that holds the asset (产权/使用单位); a pool transfer changes it and keeps everything else, so history and
-- depreciation run on. room_id names a room of office space (read through an interface, no foreign key across
-- modules); location keeps the room's label as it was when assigned. life_months is the depreciation life in force
-- for the card (the class's minimum life unless the card sets a longer one).
CREATE TABLE assets (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	class_code TEXT NOT NULL,
	brand TEXT NOT NULL DEFAULT '',
	model TEXT NOT NULL DEFAULT '',
	quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
	measure_unit TEXT NOT NULL DEFAULT '台',
	acquisition TEXT NOT NULL CHECK (acquisition IN ('purchase', 'transfer_in', 'donation', 'exchange', 'self_built', 'surplus', 'other')),
	acquired_on TEXT NOT NULL,
	value_type TEXT NOT NULL DEFAULT 'original' CHECK (value_type IN ('original', 'provisional', 'replacement', 'appraised', 'nominal')),
	value_fen BIGINT NOT NULL CHECK (value_fen > 0),
	funding TEXT NOT NULL DEFAULT '',
	voucher_no TEXT NOT NULL DEFAULT '',
	life_months INTEGER NOT NULL CHECK (life_months >= 1),
	dept TEXT NOT NULL DEFAULT '',
	custodian_id BIGINT REFERENCES people (id),
	room_id BIGINT,
	location TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'in_use' CHECK (status IN ('in_use', 'idle', 'pooled', 'disposing', 'disposed')),
	disposed_on TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX assets_code ON assets (code);
CREATE INDEX assets_org ON assets (org_id, status, class_code);
CREATE INDEX assets_class ON assets (class_code);

-- The next number of each unit's 资产编号 (docs/domain/assets.md §Numbering): bumped in the registering transaction,
-- which locks the row until it ends, so two registrations never take the same number.
CREATE TABLE asset_counters (
	org_id BIGINT PRIMARY KEY REFERENCES orgs (id),
	next_no BIGINT NOT NULL
);

-- 公物仓 listings: a unit offers an idle asset (pending), the bureau approves it (available), another unit claims it
-- (claimed), the bureau approves the claim and the asset moves (transferred). org_id is the offering unit.
CREATE TABLE asset_pool_listings (
	id {{ID}},
	asset_id BIGINT NOT NULL REFERENCES assets (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	reason TEXT NOT NULL,
	item_condition TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('pending', 'available', 'claimed', 'transferred', 'rejected', 'withdrawn')),
	to_org_id BIGINT REFERENCES orgs (id),
	value_fen BIGINT NOT NULL DEFAULT 0,
	net_fen BIGINT NOT NULL DEFAULT 0,
	decision_note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	approved_at BIGINT NOT NULL DEFAULT 0,
	transferred_on TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_pool_listings_status ON asset_pool_listings (status, org_id);
CREATE INDEX asset_pool_listings_asset ON asset_pool_listings (asset_id);

-- Claims of an available listing by another unit; one pending claim per listing at a time (the listing moves to
-- claimed with it).
CREATE TABLE asset_pool_claims (
	id {{ID}},
	listing_id BIGINT NOT NULL REFERENCES asset_pool_listings (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	reason TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	decision_note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	decided_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_pool_claims_listing ON asset_pool_claims (listing_id, status);
CREATE INDEX asset_pool_claims_org ON asset_pool_claims (org_id, status);

-- Disposal requests (处置, docs/domain/assets.md §Disposal approval): the methods of 财资〔2021〕127号; the asset is
-- 待处置 while one is pending and leaves the active ledger when it is approved.
CREATE TABLE asset_disposals (
	id {{ID}},
	asset_id BIGINT NOT NULL REFERENCES assets (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	method TEXT NOT NULL CHECK (method IN ('transfer', 'donation', 'sale', 'exchange', 'scrap', 'write_off')),
	reason TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	prior_status TEXT NOT NULL DEFAULT 'in_use',
	value_fen BIGINT NOT NULL DEFAULT 0,
	net_fen BIGINT NOT NULL DEFAULT 0,
	decision_note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	decided_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_disposals_asset ON asset_disposals (asset_id);
CREATE INDEX asset_disposals_status ON asset_disposals (status, org_id);
