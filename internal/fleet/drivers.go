package fleet

import (
	"context"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Driver is a person of a unit who drives its vehicles.
type Driver struct {
	ID            int64     `json:"id"`
	PersonID      int64     `json:"person_id"`
	Name          string    `json:"name"`
	OrgID         int64     `json:"org_id"`
	OrgName       string    `json:"org_name"`
	LicenseClass  string    `json:"license_class" doc:"准驾车型：A1 · A2 · A3 · B1 · B2 · C1 · C2"`
	LicenseExpiry string    `json:"license_expiry" doc:"驾驶证有效期至"`
	Phone         string    `json:"phone"`
	Status        string    `json:"status" doc:"active 在岗 · inactive 停用"`
	CreatedAt     time.Time `json:"created_at"`
}

// StatusName is the Chinese status.
func (d Driver) StatusName() string {
	if d.Status == "active" {
		return "在岗"
	}
	return "停用"
}

// LicenseExpired reports whether the licence has expired on today.
func (d Driver) LicenseExpired(today string) bool {
	return d.LicenseExpiry != "" && d.LicenseExpiry < today
}

const driverCols = `d.id, d.person_id, p.name, d.org_id, o.name, d.license_class, d.license_expiry, d.phone, d.status, d.created_at`
const driverFrom = " FROM fleet_drivers d JOIN people p ON p.id = d.person_id JOIN orgs o ON o.id = d.org_id"

func scanDriver(s db.Scanner) (Driver, error) {
	var d Driver
	var c int64
	err := s.Scan(&d.ID, &d.PersonID, &d.Name, &d.OrgID, &d.OrgName, &d.LicenseClass, &d.LicenseExpiry, &d.Phone, &d.Status, &c)
	d.CreatedAt = db.FromUnix(c)
	return d, err
}

// GetDriver loads a driver in scope (404 otherwise).
func GetDriver(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Driver, error) {
	cond, args := sc.OrgCond("d.org_id")
	d, err := scanDriver(q.QueryRow(ctx, "SELECT "+driverCols+driverFrom+" WHERE d.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return d, errs.NotFound("驾驶员")
	}
	return d, err
}

// DriverFilter narrows the list of drivers.
type DriverFilter struct {
	List   web.List
	OrgID  int64
	Status string
}

// ListDrivers lists the drivers in scope.
func ListDrivers(ctx context.Context, q db.Q, sc auth.Scope, f DriverFilter) ([]Driver, int64, error) {
	cond, args := sc.OrgCond("d.org_id")
	w := " WHERE " + cond
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "d.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Status != "" {
		if f.Status != "active" && f.Status != "inactive" {
			return nil, 0, errs.Invalid("status", "状态应为 active 或 inactive")
		}
		w, args = w+" AND d.status = ?", append(args, f.Status)
	}
	if f.List.Q != "" {
		w, args = w+` AND LOWER(p.name) LIKE ? ESCAPE '\'`, append(args, db.LikeContains(f.List.Q))
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+driverFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanDriver, "SELECT "+driverCols+driverFrom+w+" ORDER BY o.path, p.name, d.id LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// DriverInput is the body of POST /api/v1/drivers.
type DriverInput struct {
	PersonID      int64  `json:"person_id"`
	LicenseClass  string `json:"license_class"`
	LicenseExpiry string `json:"license_expiry,omitempty"`
	Phone         string `json:"phone,omitempty"`
	Status        string `json:"status,omitempty" doc:"默认 active"`
}

func (in *DriverInput) check(f errs.Fields) {
	if in.PersonID <= 0 {
		f.Add("person_id", "请选择驾驶员（人员）")
	}
	checkEnum(f, "license_class", &in.LicenseClass, LicenseClasses, true, "准驾车型")
	date(f, "license_expiry", &in.LicenseExpiry, false, "驾驶证有效期")
	phone(f, "phone", &in.Phone, "联系电话")
	if in.Status == "" {
		in.Status = "active"
	}
	if in.Status != "active" && in.Status != "inactive" {
		f.Add("status", "状态应为 active 或 inactive")
	}
}

// CreateDriver registers a person of a unit in scope as a driver; a person registered already is a 409.
func (s *Service) CreateDriver(ctx context.Context, sc auth.Scope, in DriverInput) (Driver, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.check(f)
	if err := f.Err(); err != nil {
		return Driver{}, err
	}
	var out Driver
	err := s.DB.Tx(ctx, func(q db.Q) error {
		p, err := org.GetPerson(ctx, q, sc, in.PersonID)
		if err != nil {
			return fieldErr(err, "person_id", "人员不存在或不在您的数据范围内")
		}
		if p.Status != "active" {
			return errs.Invalid("person_id", "该人员已"+p.StatusName()+"，不能登记为驾驶员")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_drivers (person_id, org_id, license_class, license_expiry, phone, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ID, p.OrgID, in.LicenseClass, in.LicenseExpiry, in.Phone, in.Status, now.Unix(), now.Unix())
		if db.IsUnique(err) {
			return &errs.Error{Code: errs.CodeConflict, Message: p.Name + " 已登记为驾驶员", Fields: map[string]string{"person_id": "已登记为驾驶员"}}
		}
		if err != nil {
			return err
		}
		if out, err = GetDriver(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objDriver, id, "create", "登记驾驶员 "+out.Name+"（准驾 "+out.LicenseClass+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.driver.create", ObjectType: objDriver, ObjectID: id, OrgID: out.OrgID, Success: true, After: out})
	})
	return out, err
}

// DriverPatch is the body of PATCH /api/v1/drivers/{id}.
type DriverPatch struct {
	LicenseClass  *string `json:"license_class,omitempty"`
	LicenseExpiry *string `json:"license_expiry,omitempty"`
	Phone         *string `json:"phone,omitempty"`
	Status        *string `json:"status,omitempty"`
}

// UpdateDriver changes a driver's licence, phone or status.
func (s *Service) UpdateDriver(ctx context.Context, sc auth.Scope, id int64, p DriverPatch) (Driver, error) {
	now := s.Clock.Now()
	var out Driver
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetDriver(ctx, q, sc, id)
		if err != nil {
			return err
		}
		in := DriverInput{PersonID: before.PersonID, LicenseClass: before.LicenseClass, LicenseExpiry: before.LicenseExpiry, Phone: before.Phone, Status: before.Status}
		for _, x := range []struct{ src, dst *string }{{p.LicenseClass, &in.LicenseClass}, {p.LicenseExpiry, &in.LicenseExpiry}, {p.Phone, &in.Phone}, {p.Status, &in.Status}} {
			if x.src != nil {
				*x.dst = *x.src
			}
		}
		f := errs.Fields{}
		in.check(f)
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_drivers SET license_class = ?, license_expiry = ?, phone = ?, status = ?, updated_at = ? WHERE id = ?",
			in.LicenseClass, in.LicenseExpiry, in.Phone, in.Status, now.Unix(), id); err != nil {
			return err
		}
		if out, err = GetDriver(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		labels := [][2]string{{"class", "准驾车型"}, {"expiry", "驾驶证有效期"}, {"phone", "电话"}, {"status", "状态"}}
		snap := func(d Driver) map[string]any {
			return map[string]any{"class": d.LicenseClass, "expiry": d.LicenseExpiry, "phone": d.Phone, "status": d.StatusName()}
		}
		diff := history.Diff(labels, snap(before), snap(out))
		if diff == "" {
			return nil
		}
		if err := history.Record(ctx, q, now, objDriver, id, "update", diff); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.driver.update", ObjectType: objDriver, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before, After: out})
	})
	return out, err
}
