package space

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Use agreements (使用协议) and allocation certificates (分配使用凭证) give a unit its approved (核定) area; 兼职
// records let a leader keep one more office. Both are the bureau's records (space:manage) and both feed the
// compliance rules, so every change re-evaluates the units and people concerned.

// Agreement is a use agreement with its certificate.
type Agreement struct {
	ID             int64   `json:"id"`
	OrgID          int64   `json:"org_id"`
	OrgName        string  `json:"org_name"`
	BuildingID     int64   `json:"building_id,omitempty"`
	BuildingName   string  `json:"building_name,omitempty"`
	AgreementNo    string  `json:"agreement_no" doc:"使用协议编号"`
	CertificateNo  string  `json:"certificate_no" doc:"分配使用凭证编号"`
	ApprovedAreaM2 float64 `json:"approved_area_m2" doc:"核定使用面积"`
	SignedOn       string  `json:"signed_on"`
	ValidUntil     string  `json:"valid_until" doc:"空为长期"`
	Note           string  `json:"note"`
	UsedAreaM2     float64 `json:"used_area_m2" doc:"单位在用房间使用面积合计"`
}

// Current reports whether the agreement is in force on today.
func (a Agreement) Current(today string) bool {
	return a.SignedOn <= today && (a.ValidUntil == "" || a.ValidUntil >= today)
}

// AgreementInput is the body of POST /api/v1/space/agreements (and, field by field, of PATCH).
type AgreementInput struct {
	OrgID          int64   `json:"org_id"`
	BuildingID     int64   `json:"building_id,omitempty"`
	AgreementNo    string  `json:"agreement_no"`
	CertificateNo  string  `json:"certificate_no,omitempty"`
	ApprovedAreaM2 float64 `json:"approved_area_m2"`
	SignedOn       string  `json:"signed_on"`
	ValidUntil     string  `json:"valid_until,omitempty"`
	Note           string  `json:"note,omitempty"`
}

const agreementCols = `a.id, a.org_id, o.name, COALESCE(a.building_id, 0), COALESCE(b.name, ''), a.agreement_no, a.certificate_no, a.approved_area_m2,
	a.signed_on, a.valid_until, a.note, (SELECT COALESCE(SUM(r.usable_area_m2), 0) FROM space_rooms r WHERE r.org_id = a.org_id AND r.status <> 'disposed')`
const agreementFrom = " FROM space_agreements a JOIN orgs o ON o.id = a.org_id LEFT JOIN buildings b ON b.id = a.building_id"

func scanAgreement(s db.Scanner) (Agreement, error) {
	var a Agreement
	err := s.Scan(&a.ID, &a.OrgID, &a.OrgName, &a.BuildingID, &a.BuildingName, &a.AgreementNo, &a.CertificateNo, &a.ApprovedAreaM2, &a.SignedOn,
		&a.ValidUntil, &a.Note, &a.UsedAreaM2)
	return a, err
}

// GetAgreement loads an agreement in scope.
func GetAgreement(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Agreement, error) {
	cond, args := sc.OrgCond("a.org_id")
	a, err := scanAgreement(q.QueryRow(ctx, "SELECT "+agreementCols+agreementFrom+" WHERE a.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return a, errs.NotFound("使用协议")
	}
	return a, err
}

func (s *Service) canSeeAgreement(ctx context.Context, q db.Q, sc auth.Scope, id int64) error {
	_, err := GetAgreement(ctx, q, sc, id)
	return err
}

// ListAgreements lists agreements in scope (of one unit when orgID is set).
func ListAgreements(ctx context.Context, q db.Q, sc auth.Scope, l web.List, orgID int64) ([]Agreement, int64, error) {
	cond, args := sc.OrgCond("a.org_id")
	w := " WHERE " + cond
	if orgID != 0 {
		w, args = w+" AND a.org_id = ?", append(args, orgID)
	}
	if l.Q != "" {
		like := db.LikeContains(l.Q)
		w, args = w+` AND (LOWER(a.agreement_no) LIKE ? ESCAPE '\' OR LOWER(a.certificate_no) LIKE ? ESCAPE '\' OR LOWER(o.name) LIKE ? ESCAPE '\')`, append(args, like, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_agreements a JOIN orgs o ON o.id = a.org_id"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanAgreement, "SELECT "+agreementCols+agreementFrom+w+" ORDER BY o.name, a.signed_on DESC, a.id LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// SaveAgreement creates (id 0) or replaces an agreement and re-evaluates the unit's approved area.
func (s *Service) SaveAgreement(ctx context.Context, sc auth.Scope, id int64, in AgreementInput) (Agreement, error) {
	now := s.Clock.Now()
	var out Agreement
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "维护使用协议"); err != nil {
			return err
		}
		var before Agreement
		if id != 0 {
			var err error
			if before, err = GetAgreement(ctx, q, sc, id); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		if in.OrgID <= 0 {
			f.Add("org_id", "请选择使用单位")
		}
		text(f, "agreement_no", &in.AgreementNo, 60, true, "协议编号")
		text(f, "certificate_no", &in.CertificateNo, 60, false, "凭证编号")
		area(f, "approved_area_m2", in.ApprovedAreaM2, true, "核定面积")
		date(f, "signed_on", &in.SignedOn, true, "签订日期")
		date(f, "valid_until", &in.ValidUntil, false, "有效期至")
		if in.ValidUntil != "" && !f.Has("valid_until") && !f.Has("signed_on") && in.ValidUntil < in.SignedOn {
			f.Add("valid_until", "有效期不能早于签订日期")
		}
		text(f, "note", &in.Note, 500, false, "备注")
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		if in.BuildingID != 0 {
			if _, err := BuildingInfo(ctx, q, sc, in.BuildingID); err != nil {
				return fieldErr(err, "building_id", "楼栋不存在或不在您的数据范围内")
			}
		}
		args := []any{in.OrgID, db.NullInt(in.BuildingID), in.AgreementNo, in.CertificateNo, round2(in.ApprovedAreaM2), in.SignedOn, in.ValidUntil, in.Note, now.Unix()}
		action := "space.agreement.update"
		if id == 0 {
			action = "space.agreement.create"
			var err error
			if id, err = db.InsertID(ctx, q, `INSERT INTO space_agreements (org_id, building_id, agreement_no, certificate_no, approved_area_m2, signed_on,
				valid_until, note, updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, append(args, now.Unix())...); err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, `UPDATE space_agreements SET org_id = ?, building_id = ?, agreement_no = ?, certificate_no = ?, approved_area_m2 = ?,
			signed_on = ?, valid_until = ?, note = ?, updated_at = ? WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		if err := s.refresh(ctx, q, nil, nil, ids(in.OrgID, before.OrgID)); err != nil {
			return err
		}
		var err error
		if out, err = GetAgreement(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		summary := fmt.Sprintf("使用协议 %s（凭证 %s）：%s 核定面积 %s，%s 起", out.AgreementNo, out.CertificateNo, out.OrgName, m2(out.ApprovedAreaM2), out.SignedOn)
		if out.ValidUntil != "" {
			summary += "，至 " + out.ValidUntil
		}
		if err := history.Record(ctx, q, now, objAgreement, id, action[len("space.agreement."):], summary); err != nil {
			return err
		}
		var bs any
		if before.ID != 0 {
			bs = before
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objAgreement, ObjectID: id, OrgID: out.OrgID, Success: true, Before: bs, After: out})
	})
	return out, err
}

// Post is a 兼职 record.
type Post struct {
	ID          int64  `json:"id"`
	PersonID    int64  `json:"person_id"`
	PersonName  string `json:"person_name"`
	OrgID       int64  `json:"org_id" doc:"兼职单位"`
	OrgName     string `json:"org_name"`
	Post        string `json:"post" doc:"兼任职务"`
	ApprovalDoc string `json:"approval_doc" doc:"审批文件"`
	ApprovedOn  string `json:"approved_on"`
	EndsOn      string `json:"ends_on" doc:"免去兼职日期，空为仍在兼任"`
	RoomID      int64  `json:"room_id,omitempty" doc:"批准的兼职单位办公室（可省略）"`
	RoomNumber  string `json:"room_number,omitempty"`
}

// PostInput is the body of POST /api/v1/space/posts (and of PATCH).
type PostInput struct {
	PersonID    int64  `json:"person_id"`
	OrgID       int64  `json:"org_id"`
	Post        string `json:"post"`
	ApprovalDoc string `json:"approval_doc,omitempty"`
	ApprovedOn  string `json:"approved_on"`
	EndsOn      string `json:"ends_on,omitempty"`
	RoomID      int64  `json:"room_id,omitempty"`
}

const postCols = `c.id, c.person_id, p.name, c.org_id, o.name, c.post, c.approval_doc, c.approved_on, c.ends_on, COALESCE(c.room_id, 0), COALESCE(r.number, '')`
const postFrom = ` FROM space_concurrent_posts c JOIN people p ON p.id = c.person_id JOIN orgs o ON o.id = c.org_id LEFT JOIN space_rooms r ON r.id = c.room_id`

func scanPostRec(s db.Scanner) (Post, error) {
	var c Post
	return c, s.Scan(&c.ID, &c.PersonID, &c.PersonName, &c.OrgID, &c.OrgName, &c.Post, &c.ApprovalDoc, &c.ApprovedOn, &c.EndsOn, &c.RoomID, &c.RoomNumber)
}

// GetPost loads a 兼职 record whose concurrent unit is in scope.
func GetPost(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Post, error) {
	cond, args := sc.OrgCond("c.org_id")
	p, err := scanPostRec(q.QueryRow(ctx, "SELECT "+postCols+postFrom+" WHERE c.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return p, errs.NotFound("兼职记录")
	}
	return p, err
}

// ListPosts lists 兼职 records whose concurrent unit is in scope (of one person when personID is set).
func ListPosts(ctx context.Context, q db.Q, sc auth.Scope, l web.List, personID int64) ([]Post, int64, error) {
	cond, args := sc.OrgCond("c.org_id")
	w := " WHERE " + cond
	if personID != 0 {
		w, args = w+" AND c.person_id = ?", append(args, personID)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_concurrent_posts c"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanPostRec, "SELECT "+postCols+postFrom+w+" ORDER BY c.id DESC LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// SavePost creates (id 0) or replaces a 兼职 record (space:manage); the person's offices are re-evaluated.
func (s *Service) SavePost(ctx context.Context, sc auth.Scope, id int64, in PostInput) (Post, error) {
	now := s.Clock.Now()
	var out Post
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "登记兼职"); err != nil {
			return err
		}
		var before Post
		if id != 0 {
			var err error
			if before, err = GetPost(ctx, q, sc, id); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		if in.PersonID <= 0 {
			f.Add("person_id", "请选择人员")
		}
		if in.OrgID <= 0 {
			f.Add("org_id", "请选择兼职单位")
		}
		text(f, "post", &in.Post, 60, true, "兼任职务")
		text(f, "approval_doc", &in.ApprovalDoc, 100, false, "审批文件")
		date(f, "approved_on", &in.ApprovedOn, true, "批准日期")
		date(f, "ends_on", &in.EndsOn, false, "免去兼职日期")
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := getPersonBrief(ctx, q, sc, in.PersonID); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		if in.RoomID != 0 {
			r, err := GetRoom(ctx, q, sc, in.RoomID)
			if err != nil {
				return fieldErr(err, "room_id", "房间不存在或不在您的数据范围内")
			}
			if r.OrgID != in.OrgID {
				return errs.Invalid("room_id", "批准的办公室应属于兼职单位")
			}
		}
		args := []any{in.PersonID, in.OrgID, in.Post, in.ApprovalDoc, in.ApprovedOn, in.EndsOn, db.NullInt(in.RoomID), now.Unix()}
		action := "space.post.update"
		if id == 0 {
			action = "space.post.create"
			var err error
			if id, err = db.InsertID(ctx, q, `INSERT INTO space_concurrent_posts (person_id, org_id, post, approval_doc, approved_on, ends_on, room_id, updated_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, append(args, now.Unix())...); err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, `UPDATE space_concurrent_posts SET person_id = ?, org_id = ?, post = ?, approval_doc = ?, approved_on = ?, ends_on = ?,
			room_id = ?, updated_at = ? WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		if err := s.refresh(ctx, q, nil, ids(in.PersonID, before.PersonID), nil); err != nil {
			return err
		}
		var err error
		if out, err = scanPostRec(q.QueryRow(ctx, "SELECT "+postCols+postFrom+" WHERE c.id = ?", id)); err != nil {
			return err
		}
		var bs any
		if before.ID != 0 {
			bs = before
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objPost, ObjectID: id, OrgID: in.OrgID, Success: true, Before: bs, After: out})
	})
	return out, err
}
