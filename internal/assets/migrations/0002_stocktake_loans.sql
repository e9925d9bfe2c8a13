-- 资产盘点 (stocktake), 出借 (lending) and the idle-asset reminders (docs/domain/assets.md §Stocktake, §Lending,
-- §Idle reminder). Money in fen; business dates as YYYY-MM-DD text; instants as Unix seconds.

-- A stocktake task over one unit's assets, optionally narrowed to a location (a building or room label, a store):
-- the cards on the ledger when the task opens are copied into its items. open → closed (the bureau reviews the
-- adjustment) → reconciled; a rejected adjustment opens the task again.
CREATE TABLE asset_stocktakes (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	name TEXT NOT NULL,
	location TEXT NOT NULL DEFAULT '',
	class_code TEXT NOT NULL DEFAULT '',
	due_on TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'reconciled')),
	created_by TEXT NOT NULL DEFAULT '',
	closed_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_stocktakes_org ON asset_stocktakes (org_id, status);

-- The items of a task: a card of the ledger (pending until found; missing 盘亏 when the task closes without it) or
-- an asset found that has no card (surplus 盘盈, with what the counter recorded of it). asset_id of a surplus item
-- is the card registered when the adjustment is approved.
CREATE TABLE asset_stocktake_items (
	id {{ID}},
	stocktake_id BIGINT NOT NULL REFERENCES asset_stocktakes (id),
	asset_id BIGINT REFERENCES assets (id),
	code TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	class_code TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT '',
	value_fen BIGINT NOT NULL DEFAULT 0,
	result TEXT NOT NULL CHECK (result IN ('pending', 'found', 'missing', 'surplus')),
	note TEXT NOT NULL DEFAULT '',
	checked_by TEXT NOT NULL DEFAULT '',
	checked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX asset_stocktake_items_task ON asset_stocktake_items (stocktake_id, result);
CREATE INDEX asset_stocktake_items_asset ON asset_stocktake_items (asset_id);

-- The adjustment (盘点调整) a closed task with differences asks the bureau to approve: approval reconciles the
-- ledger (a missing card → 待处置 with a pending 损失核销; a surplus item → a new card, 取得方式 盘盈).
CREATE TABLE asset_adjustments (
	id {{ID}},
	stocktake_id BIGINT NOT NULL REFERENCES asset_stocktakes (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	missing INTEGER NOT NULL DEFAULT 0,
	surplus INTEGER NOT NULL DEFAULT 0,
	missing_fen BIGINT NOT NULL DEFAULT 0,
	surplus_fen BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	decision_note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	decided_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_adjustments_status ON asset_adjustments (status, org_id);
CREATE INDEX asset_adjustments_task ON asset_adjustments (stocktake_id);

-- Loans (出借) of a unit's or a pool asset to another unit or a temporary body (an event's organising committee, a
-- working group) until a return date. org_id is the lending unit (the card's unit when lent).
CREATE TABLE asset_loans (
	id {{ID}},
	asset_id BIGINT NOT NULL REFERENCES assets (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	borrower_org_id BIGINT REFERENCES orgs (id),
	borrower TEXT NOT NULL,
	contact TEXT NOT NULL DEFAULT '',
	purpose TEXT NOT NULL,
	start_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	returned_on TEXT NOT NULL DEFAULT '',
	return_note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('out', 'returned')),
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX asset_loans_status ON asset_loans (status, due_on);
CREATE INDEX asset_loans_asset ON asset_loans (asset_id);
CREATE INDEX asset_loans_org ON asset_loans (org_id, status);

-- Reminders sent: an overdue loan once per due date (a new date is reminded again), an idle asset once per idle
-- period (kind 'idle', due_on the day it was first seen idle).
CREATE TABLE asset_reminders (
	asset_id BIGINT NOT NULL REFERENCES assets (id),
	kind TEXT NOT NULL CHECK (kind IN ('loan', 'idle')),
	ref_id BIGINT NOT NULL DEFAULT 0,
	due_on TEXT NOT NULL,
	sent_at BIGINT NOT NULL,
	PRIMARY KEY (asset_id, kind, ref_id, due_on)
);

-- Since when a card has been idle (闲置), as the idle job first saw it (docs/domain/assets.md §Idle reminder); the
-- row goes when the card is no longer idle.
CREATE TABLE asset_idle (
	asset_id BIGINT PRIMARY KEY REFERENCES assets (id),
	since_on TEXT NOT NULL
);
