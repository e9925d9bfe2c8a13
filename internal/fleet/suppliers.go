package fleet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
)

// Designated suppliers (定点保险、定点维修、定点加油（充电）; docs/domain/vehicles.md §Designated suppliers): the bureau
// designates suppliers for a unit — and so for the units below it — per kind of cost, over a term. A vehicle cost
// naming a supplier that is not designated for the vehicle's unit and the cost's kind on the cost's date is the
// non_designated_supplier finding.

// SupplierKinds are the kinds of designation.
var SupplierKinds = enum.Of("insurance", "定点保险", "maintenance", "定点维修（保养）", "fuel", "定点加油（充电）")

// supplierKindOf is the designation a cost kind needs ("" for tolls, parking and other costs).
func supplierKindOf(costKind string) string {
	switch costKind {
	case "fuel", "charging":
		return "fuel"
	case "maintenance", "insurance":
		return costKind
	}
	return ""
}

// Supplier is a designated supplier of a unit.
type Supplier struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"org_id" doc:"定点适用的单位（含下级单位）"`
	OrgName    string    `json:"org_name"`
	Kind       string    `json:"kind" doc:"insurance 定点保险 · maintenance 定点维修 · fuel 定点加油（充电）"`
	Name       string    `json:"name" doc:"供应商名称（与费用、加油卡对账单中的名称一致）"`
	ContractNo string    `json:"contract_no"`
	ValidFrom  string    `json:"valid_from" doc:"定点期限起（空为不限）"`
	ValidTo    string    `json:"valid_to" doc:"定点期限止（空为不限）"`
	Address    string    `json:"address"`
	Phone      string    `json:"phone"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// KindName is the designation in Chinese.
func (x Supplier) KindName() string { return SupplierKinds.Name(x.Kind) }

// Term is the designation's term as one line.
func (x Supplier) Term() string {
	if x.ValidFrom == "" && x.ValidTo == "" {
		return "长期"
	}
	return x.ValidFrom + " 至 " + x.ValidTo
}

// ValidOn reports whether the designation holds on day.
func (x Supplier) ValidOn(day string) bool {
	return (x.ValidFrom == "" || x.ValidFrom <= day) && (x.ValidTo == "" || day <= x.ValidTo)
}

const supplierCols = `x.id, x.org_id, o.name, x.kind, x.name, x.contract_no, x.valid_from, x.valid_to, x.address, x.phone, x.note, x.created_at, x.updated_at`
const supplierFrom = " FROM fleet_suppliers x JOIN orgs o ON o.id = x.org_id"

func scanSupplier(s db.Scanner) (Supplier, error) {
	var x Supplier
	var c, u int64
	err := s.Scan(&x.ID, &x.OrgID, &x.OrgName, &x.Kind, &x.Name, &x.ContractNo, &x.ValidFrom, &x.ValidTo, &x.Address, &x.Phone, &x.Note, &c, &u)
	x.CreatedAt, x.UpdatedAt = db.FromUnix(c), db.FromUnix(u)
	return x, err
}

// SupplierFilter narrows the table of designated suppliers.
type SupplierFilter struct {
	OrgID int64 // the unit and its subtree
	Kind  string
	Q     string
}

// ListSuppliers lists the designated suppliers in scope, by unit, kind and name.
func ListSuppliers(ctx context.Context, q db.Q, sc auth.Scope, f SupplierFilter) ([]Supplier, error) {
	cond, args := sc.OrgCond("x.org_id")
	w := " WHERE " + cond
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "x.org_id")
		if err != nil {
			return nil, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Kind != "" {
		if !SupplierKinds.Has(f.Kind) {
			return nil, errs.Invalid("kind", "定点类型应为 "+SupplierKinds.Described())
		}
		w, args = w+" AND x.kind = ?", append(args, f.Kind)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w, args = w+` AND (LOWER(x.name) LIKE ? ESCAPE '\' OR LOWER(o.name) LIKE ? ESCAPE '\')`, append(args, db.LikeContains(q), db.LikeContains(q))
	}
	return db.Select(ctx, q, scanSupplier, "SELECT "+supplierCols+supplierFrom+w+" ORDER BY o.path, x.kind, x.name, x.id LIMIT 5000", args...)
}

// GetSupplier loads a designated supplier in scope (404 otherwise).
func GetSupplier(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Supplier, error) {
	cond, args := sc.OrgCond("x.org_id")
	x, err := scanSupplier(q.QueryRow(ctx, "SELECT "+supplierCols+supplierFrom+" WHERE x.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return x, errs.NotFound("定点供应商")
	}
	return x, err
}

// SupplierInput is the body of POST /api/v1/fleet/suppliers (and, over the current values, of PATCH).
type SupplierInput struct {
	OrgID      int64  `json:"org_id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	ContractNo string `json:"contract_no,omitempty"`
	ValidFrom  string `json:"valid_from,omitempty"`
	ValidTo    string `json:"valid_to,omitempty"`
	Address    string `json:"address,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Note       string `json:"note,omitempty"`
}

func (in *SupplierInput) check(f errs.Fields) {
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择单位")
	}
	checkEnum(f, "kind", &in.Kind, SupplierKinds, true, "定点类型")
	text(f, "name", &in.Name, 100, true, "供应商名称")
	text(f, "contract_no", &in.ContractNo, 60, false, "合同编号")
	date(f, "valid_from", &in.ValidFrom, false, "定点期限起")
	date(f, "valid_to", &in.ValidTo, false, "定点期限止")
	if in.ValidFrom != "" && in.ValidTo != "" && in.ValidTo < in.ValidFrom && !f.Has("valid_to") {
		f.Add("valid_to", "定点期限止不能早于起始日期")
	}
	text(f, "address", &in.Address, 200, false, "地址")
	phone(f, "phone", &in.Phone, "联系电话")
	text(f, "note", &in.Note, 200, false, "备注")
}

func inputOfSupplier(x Supplier) SupplierInput {
	return SupplierInput{OrgID: x.OrgID, Kind: x.Kind, Name: x.Name, ContractNo: x.ContractNo, ValidFrom: x.ValidFrom, ValidTo: x.ValidTo,
		Address: x.Address, Phone: x.Phone, Note: x.Note}
}

func duplicateSupplier(name string) error {
	return &errs.Error{Code: errs.CodeConflict, Message: "该单位已定点同类供应商“" + name + "”", Fields: map[string]string{"name": "已定点"}}
}

// CreateSupplier designates a supplier for a unit in scope; the same unit, kind and name twice is a 409.
func (s *Service) CreateSupplier(ctx context.Context, sc auth.Scope, in SupplierInput) (Supplier, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.check(f)
	if err := f.Err(); err != nil {
		return Supplier{}, err
	}
	var out Supplier
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_suppliers (org_id, kind, name, contract_no, valid_from, valid_to, address, phone, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.OrgID, in.Kind, in.Name, in.ContractNo, in.ValidFrom, in.ValidTo, in.Address, in.Phone, in.Note,
			now.Unix(), now.Unix())
		if db.IsUnique(err) {
			return duplicateSupplier(in.Name)
		}
		if err != nil {
			return err
		}
		if out, err = GetSupplier(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objSupplier, id, "create", "定点"+out.KindName()+"："+out.Name+"（"+out.OrgName+"，"+out.Term()+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.supplier.create", ObjectType: objSupplier, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// UpdateSupplier replaces a designation's fields (ending a designation is setting valid_to).
func (s *Service) UpdateSupplier(ctx context.Context, sc auth.Scope, id int64, in SupplierInput) (Supplier, error) {
	now := s.Clock.Now()
	var out Supplier
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetSupplier(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in.check(f)
		if err := f.Err(); err != nil {
			return err
		}
		if in.OrgID != before.OrgID {
			if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `UPDATE fleet_suppliers SET org_id = ?, kind = ?, name = ?, contract_no = ?, valid_from = ?, valid_to = ?, address = ?, phone = ?, note = ?,
			updated_at = ? WHERE id = ?`, in.OrgID, in.Kind, in.Name, in.ContractNo, in.ValidFrom, in.ValidTo, in.Address, in.Phone, in.Note, now.Unix(), id)
		if db.IsUnique(err) {
			return duplicateSupplier(in.Name)
		}
		if err != nil {
			return err
		}
		if out, err = GetSupplier(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objSupplier, id, "update", "修改定点："+out.KindName()+" "+out.Name+"（"+out.Term()+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.supplier.update", ObjectType: objSupplier, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before, After: out})
	})
	return out, err
}

// designations are the designated suppliers that apply to units: for each unit, those of the unit and its
// ancestors.
type designations struct {
	paths map[int64]string     // unit → path
	byOrg map[int64][]Supplier // designating unit → its suppliers
}

func loadDesignations(ctx context.Context, q db.Q, orgIDs []int64) (*designations, error) {
	d := &designations{paths: map[int64]string{}, byOrg: map[int64][]Supplier{}}
	ids := make([]any, 0, len(orgIDs))
	for _, id := range orgIDs {
		ids = append(ids, id)
	}
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := q.Query(ctx, "SELECT id, path FROM orgs WHERE id IN ("+db.In(len(chunk))+")", chunk...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var p string
			if err := rows.Scan(&id, &p); err != nil {
				rows.Close()
				return nil, err
			}
			d.paths[id] = p
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	all, err := db.Select(ctx, q, scanSupplier, "SELECT "+supplierCols+supplierFrom+" ORDER BY x.id")
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		d.byOrg[x.OrgID] = append(d.byOrg[x.OrgID], x)
	}
	return d, nil
}

// designated reports whether name is designated for kind at unit orgID (or one of its ancestors) on day.
func (d *designations) designated(orgID int64, kind, name, day string) bool {
	for _, p := range strings.Split(strings.Trim(d.paths[orgID], "/"), "/") {
		var id int64
		if _, err := fmt.Sscan(p, &id); err != nil {
			continue
		}
		for _, x := range d.byOrg[id] {
			if x.Kind == kind && sameSupplier(x.Name, name) && x.ValidOn(day) {
				return true
			}
		}
	}
	return false
}

// sameSupplier compares supplier names as statements write them (spaces and full-width brackets aside).
func sameSupplier(a, b string) bool {
	norm := func(s string) string {
		return strings.NewReplacer(" ", "", "　", "", "（", "(", "）", ")").Replace(strings.TrimSpace(s))
	}
	return norm(a) == norm(b)
}

// costsAtNonDesignated flags the costs of the past year that name a supplier not designated for the vehicle's unit
// and the cost's kind on its date: the non_designated_supplier finding.
func costsAtNonDesignated(ctx context.Context, q db.Q, vs []Vehicle, today string) ([]ComplianceItem, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	byID := make(map[int64]Vehicle, len(vs))
	ids := make([]any, 0, len(vs))
	var orgs []int64
	seenOrg := map[int64]bool{}
	for _, v := range vs {
		byID[v.ID] = v
		ids = append(ids, v.ID)
		if !seenOrg[v.OrgID] {
			seenOrg[v.OrgID] = true
			orgs = append(orgs, v.OrgID)
		}
	}
	t0, err := time.ParseInLocation(time.DateOnly, today, clock.Shanghai)
	if err != nil {
		return nil, err
	}
	from := clock.Today(t0.AddDate(0, 0, -costWindow))
	type cost struct {
		vehicle, fen         int64
		kind, date, supplier string
	}
	var costs []cost
	for chunk := range slices.Chunk(ids, 500) {
		cs, err := db.Select(ctx, q, func(s db.Scanner) (cost, error) {
			var c cost
			return c, s.Scan(&c.vehicle, &c.fen, &c.kind, &c.date, &c.supplier)
		}, `SELECT vehicle_id, amount_fen, kind, cost_date, supplier FROM fleet_costs WHERE supplier <> '' AND kind IN ('fuel', 'charging', 'maintenance', 'insurance')
			AND cost_date >= ? AND cost_date <= ? AND vehicle_id IN (`+db.In(len(chunk))+") ORDER BY cost_date, id", append([]any{from, today}, chunk...)...)
		if err != nil {
			return nil, err
		}
		costs = append(costs, cs...)
	}
	if len(costs) == 0 {
		return nil, nil
	}
	d, err := loadDesignations(ctx, q, orgs)
	if err != nil {
		return nil, err
	}
	var items []ComplianceItem
	for _, c := range costs {
		v := byID[c.vehicle]
		kind := supplierKindOf(c.kind)
		if d.designated(v.OrgID, kind, c.supplier, c.date) {
			continue
		}
		items = append(items, ComplianceItem{VehicleID: v.ID, Plate: v.Plate, OrgID: v.OrgID, OrgName: v.OrgName, Rule: RuleNonDesignated,
			RuleName: Rules.Name(RuleNonDesignated),
			Detail: fmt.Sprintf("%s %s %.2f 元在“%s”，该供应商不是%s的%s", c.date, CostKinds.Name(c.kind), yuan(c.fen), c.supplier, v.OrgName,
				SupplierKinds.Name(kind)),
			RuleText: ruleTexts[RuleNonDesignated], Source: ruleSourceDesignated, Violation: true})
	}
	return items, nil
}

// ruleSourceDesignated is the source of the 定点 rule (docs/domain/vehicles.md §Designated suppliers).
const ruleSourceDesignated = "《党政机关公务用车管理办法》（中办发〔2017〕71号）第十七条；《机关事务管理条例》第二十六条"
