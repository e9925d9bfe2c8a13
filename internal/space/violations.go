package space

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Violation is a stored violation with what screens show of its room, person and rectification.
type Violation struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind" doc:"over_area 超标准使用面积 · multiple_offices 一人多处办公室 · stale_occupant 退休调离未腾退 · use_changed 擅自改变使用功能 · over_approved_area 超核定面积 · let_or_lent 出租出借"`
	KindName     string    `json:"kind_name"`
	RoomID       int64     `json:"room_id" doc:"0：单位层面的违规（超核定面积）"`
	PersonID     int64     `json:"person_id" doc:"0：不针对某一人（如多人合用的办公室超标）"`
	ActualM2     float64   `json:"actual_m2"`
	AllowedM2    float64   `json:"allowed_m2"`
	Detail       string    `json:"detail"`
	OrgID        int64     `json:"org_id"`
	OrgName      string    `json:"org_name"`
	RoomNumber   string    `json:"room_number,omitempty"`
	BuildingID   int64     `json:"building_id,omitempty"`
	BuildingName string    `json:"building_name,omitempty"`
	PersonName   string    `json:"person_name,omitempty"`
	Status       string    `json:"status" doc:"open 存在 · resolved 已消除"`
	FirstSeen    time.Time `json:"first_seen"`
	ResolvedAt   time.Time `json:"resolved_at,omitzero"`
	TaskID       int64     `json:"rectification_id,omitempty" doc:"最近一次整改任务"`
	TaskStatus   string    `json:"rectification_status,omitempty"`
	TaskDeadline string    `json:"rectification_deadline,omitempty"`
	OtherRooms   string    `json:"other_rooms,omitempty" doc:"一人多处办公室：该人的其他办公室（楼栋 房间号，主办公室注明）；detail 也写明"`
}

// Open reports whether the violation still stands.
func (v Violation) Open() bool { return v.Status == "open" }

// TaskStatusName is the Chinese name of the rectification status.
func (v Violation) TaskStatusName() string { return RectifyStatuses.Name(v.TaskStatus) }

// ViolationFilter narrows a violations list.
type ViolationFilter struct {
	List     web.List
	OrgID    int64
	Subtree  bool
	Kind     string
	Status   string // "open" (default), "resolved" or "all"
	RoomID   int64
	PersonID int64
	NoTask   bool // open violations without an active rectification task
}

const violationCols = `v.id, v.kind, v.room_id, v.person_id, v.actual_m2, v.allowed_m2, v.detail, v.org_id, o.name, COALESCE(r.number, ''),
	COALESCE(r.building_id, 0), COALESCE(b.name, ''), COALESCE(p.name, ''), v.status, v.first_seen_at, v.resolved_at,
	COALESCE(t.id, 0), COALESCE(t.status, ''), COALESCE(t.deadline, '')`

const violationFrom = ` FROM space_violations v JOIN orgs o ON o.id = v.org_id LEFT JOIN space_rooms r ON r.id = v.room_id
	LEFT JOIN buildings b ON b.id = r.building_id LEFT JOIN people p ON p.id = v.person_id
	LEFT JOIN space_rectifications t ON t.id = (SELECT MAX(t2.id) FROM space_rectifications t2 WHERE t2.violation_id = v.id)`

func scanViolation(s db.Scanner) (Violation, error) {
	var v Violation
	var first, resolved int64
	err := s.Scan(&v.ID, &v.Kind, &v.RoomID, &v.PersonID, &v.ActualM2, &v.AllowedM2, &v.Detail, &v.OrgID, &v.OrgName, &v.RoomNumber,
		&v.BuildingID, &v.BuildingName, &v.PersonName, &v.Status, &first, &resolved, &v.TaskID, &v.TaskStatus, &v.TaskDeadline)
	v.KindName = Kinds.Name(v.Kind)
	v.FirstSeen, v.ResolvedAt = db.FromUnix(first), db.FromUnix(resolved)
	return v, err
}

// ListViolations reads stored violations in scope (no re-evaluation).
func ListViolations(ctx context.Context, q db.Q, sc auth.Scope, f ViolationFilter) ([]Violation, int64, error) {
	cond, args := sc.OrgCond("v.org_id")
	w := " WHERE " + cond
	if f.OrgID != 0 {
		c, a, err := unitCond(ctx, q, "v.org_id", f.OrgID, f.Subtree)
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	switch f.Status {
	case "", "open":
		w += " AND v.status = 'open'"
	case "resolved":
		w += " AND v.status = 'resolved'"
	case "all":
	default:
		return nil, 0, errs.Invalid("status", "状态应为 open、resolved 或 all")
	}
	if f.Kind != "" {
		if !Kinds.Has(f.Kind) {
			return nil, 0, errs.Invalid("kind", "违规类型无效")
		}
		w, args = w+" AND v.kind = ?", append(args, f.Kind)
	}
	if f.RoomID != 0 {
		w, args = w+" AND v.room_id = ?", append(args, f.RoomID)
	}
	if f.PersonID != 0 {
		w, args = w+" AND v.person_id = ?", append(args, f.PersonID)
	}
	if f.NoTask {
		w += " AND NOT EXISTS (SELECT 1 FROM space_rectifications t3 WHERE t3.violation_id = v.id AND t3.status IN ('open', 'submitted'))"
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_violations v"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"kind": "v.kind", "org": "o.name", "area": "v.actual_m2", "seen": "v.first_seen_at"}, "v.id DESC")
	rows, err := db.Select(ctx, q, scanViolation, "SELECT "+violationCols+violationFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nameOtherRooms(ctx, q, rows)
}

// nameOtherRooms names, in each open multiple-offices finding, the person's other offices as the register holds them
// now (the main one — held longest — marked), so "同时占用 2 处办公室" says which.
func nameOtherRooms(ctx context.Context, q db.Q, list []Violation) error {
	var people []int64
	for _, v := range list {
		if v.Kind == KindMultipleOffices && v.PersonID != 0 && v.Open() {
			people = append(people, v.PersonID)
		}
	}
	people = ids(people...)
	if len(people) == 0 {
		return nil
	}
	type held struct {
		room  int64
		label string
	}
	byPerson := map[int64][]held{}
	err := chunked(people, func(c []int64) error {
		rows, err := q.Query(ctx, `SELECT x.person_id, r.id, b.name, r.number FROM space_occupants x JOIN space_rooms r ON r.id = x.room_id
			JOIN buildings b ON b.id = r.building_id WHERE r.use_type = 'office' AND r.status <> 'disposed' AND x.person_id IN (`+db.In(len(c))+`)
			ORDER BY x.person_id, x.since, r.id`, db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pid int64
			var h held
			var bname, num string
			if err := rows.Scan(&pid, &h.room, &bname, &num); err != nil {
				return err
			}
			h.label = bname + " " + num
			byPerson[pid] = append(byPerson[pid], h)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for i := range list {
		v := &list[i]
		if v.Kind != KindMultipleOffices || !v.Open() {
			continue
		}
		var parts []string
		for j, h := range byPerson[v.PersonID] {
			if h.room == v.RoomID {
				continue
			}
			l := h.label
			if j == 0 {
				l += "（主办公室）"
			}
			parts = append(parts, l)
		}
		if len(parts) > 0 {
			v.OtherRooms = strings.Join(parts, "、")
			v.Detail += "；另占 " + v.OtherRooms
		}
	}
	return nil
}

// UnitViolations is the violations list of docs/api.md §Office space: the unit (org_id, in scope, else 404) and —
// with Subtree — the units below it, re-evaluated first so the list shows the current state of the register, the
// spine and the date. Without org_id it covers the caller's whole scope.
func (s *Service) UnitViolations(ctx context.Context, sc auth.Scope, f ViolationFilter) ([]Violation, int64, error) {
	if f.OrgID != 0 {
		if err := checkOrg(ctx, s.DB, sc, f.OrgID, "org_id"); err != nil {
			return nil, 0, err
		}
	}
	if err := s.RefreshScope(ctx, sc, f.OrgID, f.Subtree || f.OrgID == 0); err != nil {
		return nil, 0, err
	}
	return ListViolations(ctx, s.DB, sc, f)
}

// RefreshScope re-evaluates a unit (or its subtree), or — orgID 0 — the caller's whole scope, when it is small
// enough for a read to afford it (see RefreshUnit).
func (s *Service) RefreshScope(ctx context.Context, sc auth.Scope, orgID int64, subtree bool) error {
	if orgID == 0 && !sc.All() {
		orgID, subtree = sc.OrgID, sc.Kind == auth.ScopeSubtree
	}
	if orgID != 0 {
		_, err := s.RefreshUnit(ctx, orgID, subtree)
		return err
	}
	return s.refreshAll(ctx)
}

// refreshAll re-evaluates the whole register when it is small enough for a read to afford it.
func (s *Service) refreshAll(ctx context.Context) error {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM space_rooms")
	if err != nil || n > maxLiveRooms {
		return err
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		_, err := s.fullScan(ctx, q, s.Clock.Now())
		return err
	})
}

// GetViolation loads one violation in scope.
func GetViolation(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Violation, error) {
	cond, args := sc.OrgCond("v.org_id")
	v, err := scanViolation(q.QueryRow(ctx, "SELECT "+violationCols+violationFrom+" WHERE v.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return v, errs.NotFound("违规记录")
	}
	if err != nil {
		return v, err
	}
	one := []Violation{v}
	err = nameOtherRooms(ctx, q, one)
	return one[0], err
}

// ViolationCounts counts open violations by kind in scope (dashboard).
func ViolationCounts(ctx context.Context, q db.Q, sc auth.Scope) (map[string]int64, error) {
	cond, args := sc.OrgCond("v.org_id")
	rows, err := q.Query(ctx, "SELECT v.kind, COUNT(*) FROM space_violations v WHERE v.status = 'open' AND "+cond+" GROUP BY v.kind", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}
