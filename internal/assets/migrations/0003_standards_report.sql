-- Ledger at scale (docs/benchmarks.md §Assets), configuration standards (配置标准), purchase requests (新增资产配置申请)
-- and the annual state-asset report (行政事业性国有资产报告). docs/domain/assets.md holds the rules.

-- The ledger page finds its page of ids through this covering index (unit, status, class, number) and loads only
-- those rows; it replaces assets_org, of which it is an extension.
DROP INDEX assets_org;
CREATE INDEX assets_ledger ON assets (org_id, status, class_code, code);

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
