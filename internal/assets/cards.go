package assets

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Asset is an asset card (资产卡片, docs/domain/assets.md §Asset card).
type Asset struct {
	ID            int64           `json:"id"`
	OrgID         int64           `json:"org_id" doc:"占有使用单位"`
	OrgName       string          `json:"org_name"`
	Code          string          `json:"code" doc:"资产编号（按单位自动编号）"`
	Name          string          `json:"name"`
	ClassCode     string          `json:"class_code" doc:"GB/T 14885-2022 分类代码，如 A02010105"`
	ClassName     string          `json:"class_name"`
	Brand         string          `json:"brand"`
	Model         string          `json:"model" doc:"规格型号"`
	Quantity      int             `json:"quantity"`
	MeasureUnit   string          `json:"measure_unit" doc:"计量单位"`
	Acquisition   string          `json:"acquisition" doc:"取得方式：purchase 新购 · transfer_in 调拨 · donation 接受捐赠 · exchange 置换 · self_built 自建 · surplus 盘盈 · other 其他"`
	AcquiredOn    string          `json:"acquired_on" doc:"取得日期 YYYY-MM-DD（折旧从次月起算）"`
	ValueType     string          `json:"value_type" doc:"original 原值 · provisional 暂估值 · replacement 重置值 · appraised 评估值 · nominal 名义金额"`
	ValueYuan     float64         `json:"value_yuan" doc:"价值（元，精确到分）"`
	Funding       string          `json:"funding" doc:"经费来源"`
	VoucherNo     string          `json:"voucher_no" doc:"会计凭证号"`
	LifeMonths    int             `json:"life_months" doc:"折旧年限（月）"`
	Dept          string          `json:"dept" doc:"使用部门"`
	CustodianID   int64           `json:"custodian_id,omitempty" doc:"使用人（人员）"`
	CustodianName string          `json:"custodian_name,omitempty"`
	RoomID        int64           `json:"room_id,omitempty" doc:"存放房间（办公用房）"`
	Location      string          `json:"location" doc:"存放地点"`
	Status        string          `json:"status" doc:"in_use 在用 · idle 闲置 · pooled 公物仓 · disposing 待处置 · disposed 已处置"`
	DisposedOn    string          `json:"disposed_on,omitempty"`
	Note          string          `json:"note"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	History       []history.Entry `json:"history,omitempty" doc:"变更历史（详情中给出）"`
	valueFen      int64
}

// StatusName is the status in Chinese.
func (a Asset) StatusName() string { return Statuses.Name(a.Status) }

// AcquisitionName is the way of acquisition in Chinese.
func (a Asset) AcquisitionName() string { return Acquisitions.Name(a.Acquisition) }

// ValueTypeName is the value type in Chinese.
func (a Asset) ValueTypeName() string { return ValueTypes.Name(a.ValueType) }

// Active reports an asset on the active ledger (not disposed).
func (a Asset) Active() bool { return a.Status != StatusDisposed }

const assetCols = `a.id, a.org_id, o.name, a.code, a.name, a.class_code, a.brand, a.model, a.quantity, a.measure_unit, a.acquisition, a.acquired_on,
	a.value_type, a.value_fen, a.funding, a.voucher_no, a.life_months, a.dept, COALESCE(a.custodian_id, 0), COALESCE(p.name, ''), COALESCE(a.room_id, 0),
	a.location, a.status, a.disposed_on, a.note, a.created_at, a.updated_at`

const assetFrom = " FROM assets a JOIN orgs o ON o.id = a.org_id LEFT JOIN people p ON p.id = a.custodian_id"

func scanAsset(s db.Scanner) (Asset, error) {
	var a Asset
	var c, u int64
	err := s.Scan(&a.ID, &a.OrgID, &a.OrgName, &a.Code, &a.Name, &a.ClassCode, &a.Brand, &a.Model, &a.Quantity, &a.MeasureUnit, &a.Acquisition, &a.AcquiredOn,
		&a.ValueType, &a.valueFen, &a.Funding, &a.VoucherNo, &a.LifeMonths, &a.Dept, &a.CustodianID, &a.CustodianName, &a.RoomID,
		&a.Location, &a.Status, &a.DisposedOn, &a.Note, &c, &u)
	a.ValueYuan, a.CreatedAt, a.UpdatedAt = yuan(a.valueFen), db.FromUnix(c), db.FromUnix(u)
	return a, err
}

// GetAsset loads an asset card in the caller's scope (404 otherwise); the class name is not filled (see named).
func GetAsset(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Asset, error) {
	cond, args := sc.OrgCond("a.org_id")
	a, err := scanAsset(q.QueryRow(ctx, "SELECT "+assetCols+assetFrom+" WHERE a.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return a, errs.NotFound("资产")
	}
	return a, err
}

// AssetDetail is an asset with its class name and business history (GET /api/v1/assets/{id}).
func (s *Service) AssetDetail(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Asset, error) {
	a, err := GetAsset(ctx, q, sc, id)
	if err != nil {
		return a, err
	}
	if err := s.named(ctx, q, []*Asset{&a}); err != nil {
		return a, err
	}
	if a.History, err = history.List(ctx, q, objAsset, id, 200); err != nil {
		return a, err
	}
	if a.History == nil {
		a.History = []history.Entry{}
	}
	return a, nil
}

// named fills the class names from the class table in force today.
func (s *Service) named(ctx context.Context, q db.Q, as []*Asset) error {
	cat, err := LoadCatalog(ctx, q, s.today())
	if err != nil {
		return err
	}
	for _, a := range as {
		if c, ok := cat.Class(a.ClassCode, ""); ok {
			a.ClassName = c.Name
		}
	}
	return nil
}

// Filter narrows the ledger.
type Filter struct {
	List   web.List
	OrgID  int64  // the unit and its subtree
	Class  string // a class code: that class and the classes below it
	Status string // a status; "" is the active ledger (everything but disposed), "all" everything
}

// ListAssets lists the ledger in scope: by default the active ledger (disposed assets stay readable with
// status=disposed or status=all).
func ListAssets(ctx context.Context, q db.Q, sc auth.Scope, f Filter) ([]Asset, int64, error) {
	total, err := ledgerCount(ctx, q, sc, f)
	if err != nil {
		return nil, 0, err
	}
	rows, err := ledgerRows(ctx, q, sc, f)
	return rows, total, err
}

// Input is the body of POST /api/v1/assets (and, over the current values, of PATCH).
type Input struct {
	OrgID       int64   `json:"org_id"`
	Name        string  `json:"name"`
	ClassCode   string  `json:"class_code"`
	ValueYuan   float64 `json:"value_yuan"`
	AcquiredOn  string  `json:"acquired_on"`
	Acquisition string  `json:"acquisition" doc:"默认 purchase"`
	RoomID      int64   `json:"room_id,omitempty"`
	CustodianID int64   `json:"custodian_id,omitempty"`
	Brand       string  `json:"brand,omitempty"`
	Model       string  `json:"model,omitempty"`
	Quantity    int     `json:"quantity,omitempty" doc:"默认 1"`
	MeasureUnit string  `json:"measure_unit,omitempty" doc:"默认 台"`
	ValueType   string  `json:"value_type,omitempty" doc:"默认 original"`
	Funding     string  `json:"funding,omitempty"`
	VoucherNo   string  `json:"voucher_no,omitempty"`
	LifeMonths  int     `json:"life_months,omitempty" doc:"折旧年限（月），默认该分类的最低年限，不得更短"`
	Dept        string  `json:"dept,omitempty"`
	Location    string  `json:"location,omitempty" doc:"存放地点（给出 room_id 时取房间）"`
	Status      string  `json:"status,omitempty" doc:"in_use（默认）或 idle"`
	Note        string  `json:"note,omitempty"`
}

func inputOf(a Asset) Input {
	return Input{OrgID: a.OrgID, Name: a.Name, ClassCode: a.ClassCode, ValueYuan: a.ValueYuan, AcquiredOn: a.AcquiredOn, Acquisition: a.Acquisition,
		RoomID: a.RoomID, CustodianID: a.CustodianID, Brand: a.Brand, Model: a.Model, Quantity: a.Quantity, MeasureUnit: a.MeasureUnit,
		ValueType: a.ValueType, Funding: a.Funding, VoucherNo: a.VoucherNo, LifeMonths: a.LifeMonths, Dept: a.Dept, Location: a.Location,
		Status: a.Status, Note: a.Note}
}

// check validates the fields that need no database; cat and region check the class and the life.
func (in *Input) check(f errs.Fields, today string, cat *Catalog, region string) {
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择单位")
	}
	textField(f, "name", &in.Name, 100, true, "资产名称")
	cat.checkClass(f, "class_code", in.ClassCode, region)
	positiveMoney(f, "value_yuan", in.ValueYuan, "价值")
	switch {
	case in.AcquiredOn == "":
		f.Add("acquired_on", "请填写取得日期")
	case !validDate(in.AcquiredOn):
		f.Add("acquired_on", "取得日期格式应为 YYYY-MM-DD")
	case in.AcquiredOn > today:
		f.Add("acquired_on", "取得日期不能晚于今天")
	}
	if in.Acquisition == "" {
		in.Acquisition = "purchase"
	}
	if !Acquisitions.Has(in.Acquisition) {
		f.Add("acquisition", "取得方式应为 "+Acquisitions.Described())
	}
	if in.ValueType == "" {
		in.ValueType = "original"
	}
	if !ValueTypes.Has(in.ValueType) {
		f.Add("value_type", "价值类型应为 "+ValueTypes.Described())
	}
	if in.Quantity == 0 {
		in.Quantity = 1
	}
	if in.Quantity < 1 || in.Quantity > 100000 {
		f.Add("quantity", "数量应为 1–100000")
	}
	if in.MeasureUnit == "" {
		in.MeasureUnit = "台"
	}
	textField(f, "measure_unit", &in.MeasureUnit, 10, false, "计量单位")
	textField(f, "brand", &in.Brand, 60, false, "品牌")
	textField(f, "model", &in.Model, 100, false, "规格型号")
	textField(f, "funding", &in.Funding, 60, false, "经费来源")
	textField(f, "voucher_no", &in.VoucherNo, 60, false, "会计凭证号")
	textField(f, "dept", &in.Dept, 60, false, "使用部门")
	textField(f, "location", &in.Location, 100, false, "存放地点")
	textField(f, "note", &in.Note, 500, false, "备注")
	if in.Status == "" {
		in.Status = StatusInUse
	}
	if in.Status != StatusInUse && in.Status != StatusIdle {
		f.Add("status", "登记或修改时状态应为 in_use（在用）或 idle（闲置）；入仓和处置通过公物仓与处置申请办理")
	}
	if in.CustodianID < 0 {
		f.Add("custodian_id", "使用人无效")
	}
	if in.RoomID < 0 {
		f.Add("room_id", "房间无效")
	}
	if f.Has("class_code") {
		return
	}
	min, _, ok := cat.MinLifeMonths(in.ClassCode, region)
	switch {
	case in.LifeMonths == 0 && !ok:
		f.Add("life_months", "该分类没有规定折旧年限，请填写折旧年限（月）")
	case in.LifeMonths == 0:
		in.LifeMonths = min
	case in.LifeMonths < 0 || in.LifeMonths > 1200:
		f.Add("life_months", "折旧年限应为 1–1200 个月")
	case ok && in.LifeMonths < min:
		f.Add("life_months", fmt.Sprintf("折旧年限不得低于该分类的最低年限 %d 个月（财会〔2017〕4号）", min))
	}
}

// region is a unit's division code (for regional reference data).
func region(ctx context.Context, q db.Q, orgID int64) (string, error) {
	var r string
	err := q.QueryRow(ctx, "SELECT region_code FROM orgs WHERE id = ?", orgID).Scan(&r)
	if db.IsNoRows(err) {
		return "", nil
	}
	return r, err
}

// resolve checks the references of an input inside the transaction: the unit, the custodian and the room must be
// in the caller's scope; the room gives the location.
func (s *Service) resolve(ctx context.Context, q db.Q, sc auth.Scope, in *Input, checkUnit bool) error {
	if checkUnit {
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
	}
	if in.CustodianID > 0 {
		p, err := org.GetPerson(ctx, q, sc, in.CustodianID)
		if err != nil {
			return notFoundField(err, "custodian_id", "使用人不存在或不在您的数据范围内")
		}
		if p.Status != "active" {
			return errs.Invalid("custodian_id", "使用人已"+p.StatusName())
		}
	}
	if in.RoomID > 0 {
		r, err := s.rooms.Room(ctx, q, sc, in.RoomID)
		if err != nil {
			return notFoundField(err, "room_id", "房间不存在或不在您的数据范围内")
		}
		in.Location = r.BuildingName + " " + r.Number
	}
	return nil
}

// nextCodes reserves n numbers of a unit's 资产编号 and returns the first; the upsert locks the unit's counter row
// until the transaction ends.
func nextCodes(ctx context.Context, q db.Q, orgID int64, n int) (int64, error) {
	var last int64
	err := q.QueryRow(ctx, `INSERT INTO asset_counters (org_id, next_no) VALUES (?, ?)
		ON CONFLICT (org_id) DO UPDATE SET next_no = asset_counters.next_no + ? RETURNING next_no`, orgID, n, n).Scan(&last)
	return last - int64(n) + 1, err
}

// AssetCode is the 资产编号 of a unit's n-th card: ZC, the unit's id in six digits, a dash and the running number.
func AssetCode(orgID, n int64) string { return fmt.Sprintf("ZC%06d-%06d", orgID, n) }

const insertAsset = `INSERT INTO assets (org_id, code, name, class_code, brand, model, quantity, measure_unit, acquisition, acquired_on, value_type,
	value_fen, funding, voucher_no, life_months, dept, custodian_id, room_id, location, status, note, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

func (in Input) args() []any {
	return []any{in.Name, in.ClassCode, in.Brand, in.Model, in.Quantity, in.MeasureUnit, in.Acquisition, in.AcquiredOn, in.ValueType,
		toFen(in.ValueYuan), in.Funding, in.VoucherNo, in.LifeMonths, in.Dept, db.NullInt(in.CustodianID), db.NullInt(in.RoomID), in.Location,
		in.Status, in.Note}
}

// CreateAsset registers an asset card to a unit in the caller's scope and numbers it.
func (s *Service) CreateAsset(ctx context.Context, sc auth.Scope, in Input) (Asset, error) {
	now := s.Clock.Now()
	var out Asset
	err := s.DB.Tx(ctx, func(q db.Q) error {
		cat, err := LoadCatalog(ctx, q, s.today())
		if err != nil {
			return err
		}
		reg, err := region(ctx, q, in.OrgID)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in.check(f, s.today(), cat, reg)
		if err := f.Err(); err != nil {
			return err
		}
		if err := s.resolve(ctx, q, sc, &in, true); err != nil {
			return err
		}
		id, err := s.insert(ctx, q, now, in)
		if err != nil {
			return err
		}
		if out, err = s.AssetDetail(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		out.History = nil
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.create", ObjectType: objAsset, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// insert writes a checked card with the unit's next number and its first history line.
func (s *Service) insert(ctx context.Context, q db.Q, now time.Time, in Input) (int64, error) {
	n, err := nextCodes(ctx, q, in.OrgID, 1)
	if err != nil {
		return 0, err
	}
	code := AssetCode(in.OrgID, n)
	id, err := db.InsertID(ctx, q, insertAsset, append(append([]any{in.OrgID, code}, in.args()...), now.Unix(), now.Unix())...)
	if err != nil {
		return 0, err
	}
	return id, history.Record(ctx, q, now, objAsset, id, "create", fmt.Sprintf("登记资产 %s %s（%s，价值 %.2f 元）", code, in.Name, Acquisitions.Name(in.Acquisition), in.ValueYuan))
}

var assetLabels = [][2]string{{"name", "名称"}, {"class_code", "分类代码"}, {"brand", "品牌"}, {"model", "规格型号"}, {"quantity", "数量"},
	{"measure_unit", "计量单位"}, {"acquisition", "取得方式"}, {"acquired_on", "取得日期"}, {"value_type", "价值类型"}, {"value_yuan", "价值（元）"},
	{"funding", "经费来源"}, {"voucher_no", "会计凭证号"}, {"life_months", "折旧年限（月）"}, {"dept", "使用部门"}, {"custodian", "使用人"},
	{"location", "存放地点"}, {"status", "状态"}, {"note", "备注"}}

func (a Asset) snapshot() map[string]any {
	return map[string]any{"name": a.Name, "class_code": a.ClassCode, "brand": a.Brand, "model": a.Model, "quantity": a.Quantity, "measure_unit": a.MeasureUnit,
		"acquisition": a.AcquisitionName(), "acquired_on": a.AcquiredOn, "value_type": a.ValueTypeName(), "value_yuan": a.ValueYuan, "funding": a.Funding,
		"voucher_no": a.VoucherNo, "life_months": a.LifeMonths, "dept": a.Dept, "custodian": a.CustodianName, "location": a.Location,
		"status": a.StatusName(), "note": a.Note}
}

// UpdateAsset replaces a card's fields with in (the PATCH body decoded over the current values). The unit of a card
// changes only through the pool or a transfer; a card in the pool, awaiting disposal or disposed is a 409.
func (s *Service) UpdateAsset(ctx context.Context, sc auth.Scope, id int64, in Input) (Asset, error) {
	now := s.Clock.Now()
	var out Asset
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetAsset(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if before.Status != StatusInUse && before.Status != StatusIdle {
			return errs.Conflict("资产" + before.StatusName() + "，不能修改")
		}
		if in.OrgID != before.OrgID {
			return errs.Invalid("org_id", "资产的单位通过公物仓调剂或处置变更，不能直接修改")
		}
		cat, err := LoadCatalog(ctx, q, s.today())
		if err != nil {
			return err
		}
		reg, err := region(ctx, q, in.OrgID)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		if in.RoomID == 0 && before.RoomID != 0 && in.Location == before.Location {
			in.Location = ""
		}
		in.check(f, s.today(), cat, reg)
		if err := f.Err(); err != nil {
			return err
		}
		if err := s.resolve(ctx, q, sc, &in, false); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE assets SET name = ?, class_code = ?, brand = ?, model = ?, quantity = ?, measure_unit = ?, acquisition = ?,
			acquired_on = ?, value_type = ?, value_fen = ?, funding = ?, voucher_no = ?, life_months = ?, dept = ?, custodian_id = ?, room_id = ?, location = ?,
			status = ?, note = ?, updated_at = ? WHERE id = ?`, append(in.args(), now.Unix(), id)...); err != nil {
			return err
		}
		if out, err = GetAsset(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := s.named(ctx, q, []*Asset{&out}); err != nil {
			return err
		}
		diff := history.Diff(assetLabels, before.snapshot(), out.snapshot())
		if diff == "" {
			return nil
		}
		if err := history.Record(ctx, q, now, objAsset, id, "update", diff); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.update", ObjectType: objAsset, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before, After: out})
	})
	return out, err
}
