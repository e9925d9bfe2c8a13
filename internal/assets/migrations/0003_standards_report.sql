-- Ledger at scale (docs/benchmarks.md §Assets), configuration standards (配置标准), purchase requests (新增资产配置申请)
-- and the annual state-asset report (行政事业性国有资产报告). docs/domain/assets.md holds the rules.

-- The ledger page finds its page of ids through this covering index (unit, number, status, class): each unit's
-- matching cards in number order, a short walk; it replaces assets_org (the totals come from asset_tallies).
DROP INDEX assets_org;
CREATE INDEX assets_ledger ON assets (org_id, code, status, class_code);

-- Card counts per unit, class and status, kept by triggers on every insert, change and delete of a card, so the
-- ledger's total is a sum over a few hundred rows instead of a count over a million (docs/benchmarks.md §Assets).
CREATE TABLE asset_tallies (
	org_id BIGINT NOT NULL,
	class_code TEXT NOT NULL,
	status TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (org_id, class_code, status)
);
INSERT INTO asset_tallies (org_id, class_code, status, n) SELECT org_id, class_code, status, COUNT(*) FROM assets GROUP BY org_id, class_code, status;

-- +sqlite
CREATE TRIGGER asset_tallies_ins AFTER INSERT ON assets BEGIN
	INSERT INTO asset_tallies (org_id, class_code, status, n) VALUES (NEW.org_id, NEW.class_code, NEW.status, 1)
		ON CONFLICT (org_id, class_code, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER asset_tallies_upd AFTER UPDATE OF org_id, class_code, status ON assets
	WHEN OLD.org_id <> NEW.org_id OR OLD.class_code <> NEW.class_code OR OLD.status <> NEW.status BEGIN
	UPDATE asset_tallies SET n = n - 1 WHERE org_id = OLD.org_id AND class_code = OLD.class_code AND status = OLD.status;
	INSERT INTO asset_tallies (org_id, class_code, status, n) VALUES (NEW.org_id, NEW.class_code, NEW.status, 1)
		ON CONFLICT (org_id, class_code, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER asset_tallies_del AFTER DELETE ON assets BEGIN
	UPDATE asset_tallies SET n = n - 1 WHERE org_id = OLD.org_id AND class_code = OLD.class_code AND status = OLD.status;
END;
-- +postgres
CREATE FUNCTION asset_tallies_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id AND OLD.class_code = NEW.class_code AND OLD.status = NEW.status THEN
		RETURN NULL;
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE asset_tallies SET n = n - 1 WHERE org_id = OLD.org_id AND class_code = OLD.class_code AND status = OLD.status;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO asset_tallies (org_id, class_code, status, n) VALUES (NEW.org_id, NEW.class_code, NEW.status, 1)
			ON CONFLICT (org_id, class_code, status) DO UPDATE SET n = asset_tallies.n + 1;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER asset_tallies_keep AFTER INSERT OR UPDATE OR DELETE ON assets FOR EACH ROW EXECUTE FUNCTION asset_tallies_keep();
-- +all

-- The depreciation report sums every card per unit in one pass over this covering index, in unit order.
CREATE INDEX assets_depreciation ON assets (org_id, acquired_on, disposed_on, life_months, value_fen);

-- Purchase requests (新增资产配置申请, docs/domain/assets.md §Purchase requests): a unit asks for items of a class;
-- matching available pool items are shown first, and the bureau approves a purchase while one is available only
-- with a reason (pool_override); claiming a pool item instead closes the request as met from the pool.
CREATE TABLE asset_requests (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	class_code TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity >= 1),
	price_fen BIGINT NOT NULL CHECK (price_fen > 0),
	reason TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'pooled')),
	over_standard TEXT NOT NULL DEFAULT '',
	pool_override TEXT NOT NULL DEFAULT '',
	claim_id BIGINT REFERENCES asset_pool_claims (id),
	decision_note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	decided_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_requests_org ON asset_requests (org_id, status);
