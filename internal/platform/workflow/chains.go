package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Chain is a configured approval chain: a request type's ordered steps for one unit and the units below it
// (OrgID 0: the type's default).
type Chain struct {
	ID        int64     `json:"id"`
	Type      string    `json:"type"`
	TypeName  string    `json:"type_name"`
	OrgID     int64     `json:"org_id" doc:"适用单位（及其下级）；0 为该申请类型的默认流程"`
	OrgName   string    `json:"org_name"`
	Name      string    `json:"name"`
	Note      string    `json:"note"`
	Steps     []Step    `json:"steps"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Step is one step of a chain (and of a run's snapshot of it).
type Step struct {
	No       int       `json:"no"`
	Name     string    `json:"name"`
	Mode     string    `json:"mode" doc:"any 或签（任一人同意）· all 会签（全部同意）"`
	Kind     string    `json:"kind" doc:"role 按角色 · users 指定人员"`
	Role     string    `json:"role,omitempty" doc:"kind=role：角色代码"`
	RoleName string    `json:"role_name,omitempty"`
	Up       int       `json:"up" doc:"kind=role：0 申请单位，1 上一级，2 上两级…；-1 申请单位及任一上级；-2 最近的有该角色的单位（含申请单位）"`
	UserIDs  []int64   `json:"user_ids,omitempty" doc:"kind=users：用户 id"`
	Users    []UserRef `json:"users,omitempty"`
}

// UserRef names a user.
type UserRef struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// Describe says in Chinese who approves a step.
func (st Step) Describe() string {
	if st.Kind == KindUsers {
		names := make([]string, 0, len(st.Users))
		for _, u := range st.Users {
			names = append(names, u.Name)
		}
		if len(names) == 0 {
			return "指定人员"
		}
		return "指定人员：" + strings.Join(names, "、")
	}
	role := st.RoleName
	if role == "" {
		role = st.Role
	}
	return UpName(st.Up) + "的“" + role + "”"
}

// UpLabel is the "key|中文" of a role step's unit for templates ("" beyond three levels up: use UpName).
func (st Step) UpLabel() string { return upKeys[st.Up] }

// ModeLabel is the "key|中文" of the mode for templates.
func (st Step) ModeLabel() string {
	if st.Mode == ModeAll {
		return "workflow.mode.all|会签（全部同意）"
	}
	return "workflow.mode.any|或签（任一人同意）"
}

// StepInput is one step of a chain as written by an administrator.
type StepInput struct {
	Name    string  `json:"name"`
	Mode    string  `json:"mode" doc:"any · all"`
	Kind    string  `json:"kind" doc:"role · users"`
	Role    string  `json:"role,omitempty"`
	Up      int     `json:"up"`
	UserIDs []int64 `json:"user_ids,omitempty"`
}

// ChainInput is the body of POST /api/v1/workflow/chains.
type ChainInput struct {
	Type  string      `json:"type"`
	OrgID int64       `json:"org_id,omitempty" doc:"省略或 0 为默认流程"`
	Name  string      `json:"name"`
	Note  string      `json:"note,omitempty"`
	Steps []StepInput `json:"steps"`
}

// ChainPatch is the body of PATCH /api/v1/workflow/chains/{id}; absent fields stay.
type ChainPatch struct {
	OrgID *int64       `json:"org_id,omitempty"`
	Name  *string      `json:"name,omitempty"`
	Note  *string      `json:"note,omitempty"`
	Steps *[]StepInput `json:"steps,omitempty"`
}

// ChainFilter narrows the chain list.
type ChainFilter struct {
	List  web.List
	Type  string
	OrgID int64
}

const chainCols = `c.id, c.type_code, COALESCE(c.org_id, 0), COALESCE(o.name, ''), c.name, c.note, c.updated_at`
const chainFrom = ` FROM wf_chains c LEFT JOIN orgs o ON o.id = c.org_id`

func (s *Service) scanChain(sc db.Scanner) (Chain, error) {
	var c Chain
	var upd int64
	err := sc.Scan(&c.ID, &c.Type, &c.OrgID, &c.OrgName, &c.Name, &c.Note, &upd)
	c.UpdatedAt = fromUnix(upd)
	c.TypeName = s.typeName(c.Type)
	return c, err
}

// chainScope is the condition that a chain is visible: defaults always, unit chains within the scope.
func chainScope(sc auth.Scope) (string, []any) {
	cond, args := sc.OrgCond("c.org_id")
	return "(c.org_id IS NULL OR " + cond + ")", args
}

// ListChains lists the chains the caller may see, with their steps.
func (s *Service) ListChains(ctx context.Context, q db.Q, sc auth.Scope, f ChainFilter) ([]Chain, int64, error) {
	cond, args := chainScope(sc)
	where := []string{cond}
	if f.Type != "" {
		where = append(where, "c.type_code = ?")
		args = append(args, f.Type)
	}
	if f.OrgID != 0 {
		where = append(where, "c.org_id = ?")
		args = append(args, f.OrgID)
	}
	if f.List.Q != "" {
		where = append(where, "(lower(c.name) LIKE ? ESCAPE '\\' OR lower(COALESCE(o.name, '')) LIKE ? ESCAPE '\\')")
		p := db.LikeContains(f.List.Q)
		args = append(args, p, p)
	}
	w := " WHERE " + strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+chainFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"type": "c.type_code", "name": "c.name", "org": "o.name", "updated": "c.updated_at"},
		"c.type_code, c.org_id IS NOT NULL, o.path, c.id")
	chains, err := db.Select(ctx, q, s.scanChain, "SELECT "+chainCols+chainFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	return chains, total, s.loadSteps(ctx, q, chains)
}

// GetChain loads a chain the caller may see (404 otherwise).
func (s *Service) GetChain(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Chain, error) {
	cond, args := chainScope(sc)
	c, err := s.scanChain(q.QueryRow(ctx, "SELECT "+chainCols+chainFrom+" WHERE c.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return Chain{}, errs.NotFound("审批流程")
	}
	if err != nil {
		return Chain{}, err
	}
	cs := []Chain{c}
	if err := s.loadSteps(ctx, q, cs); err != nil {
		return Chain{}, err
	}
	return cs[0], nil
}

// loadSteps fills the steps (with role names and named users) of chains.
func (s *Service) loadSteps(ctx context.Context, q db.Q, chains []Chain) error {
	if len(chains) == 0 {
		return nil
	}
	ids := make([]int64, len(chains))
	at := map[int64]int{}
	for i, c := range chains {
		ids[i] = c.ID
		at[c.ID] = i
		chains[i].Steps = []Step{}
	}
	type stepRow struct {
		id, chain int64
		st        Step
	}
	rows, err := db.Select(ctx, q, func(sc db.Scanner) (stepRow, error) {
		var r stepRow
		err := sc.Scan(&r.id, &r.chain, &r.st.No, &r.st.Name, &r.st.Mode, &r.st.Kind, &r.st.Role, &r.st.RoleName, &r.st.Up)
		return r, err
	}, `SELECT s.id, s.chain_id, s.step_no, s.name, s.mode, s.kind, COALESCE(s.role_code, ''), COALESCE(r.name, ''), s.up
		FROM wf_steps s LEFT JOIN roles r ON r.code = s.role_code WHERE s.chain_id IN (`+db.In(len(ids))+`) ORDER BY s.chain_id, s.step_no`,
		db.Args(ids)...)
	if err != nil {
		return err
	}
	users, err := db.Select(ctx, q, func(sc db.Scanner) ([2]any, error) {
		var step int64
		var u UserRef
		err := sc.Scan(&step, &u.ID, &u.Username, &u.Name)
		return [2]any{step, u}, err
	}, `SELECT su.step_id, u.id, u.username, u.display_name FROM wf_step_users su JOIN users u ON u.id = su.user_id
		WHERE su.step_id IN (SELECT id FROM wf_steps WHERE chain_id IN (`+db.In(len(ids))+`)) ORDER BY su.step_id, u.id`, db.Args(ids)...)
	if err != nil {
		return err
	}
	byStep := map[int64][]UserRef{}
	for _, u := range users {
		id := u[0].(int64)
		byStep[id] = append(byStep[id], u[1].(UserRef))
	}
	for _, r := range rows {
		st := r.st
		for _, u := range byStep[r.id] {
			st.Users = append(st.Users, u)
			st.UserIDs = append(st.UserIDs, u.ID)
		}
		c := &chains[at[r.chain]]
		c.Steps = append(c.Steps, st)
	}
	return nil
}

const maxSteps = 10

// checkChain validates and normalises a chain; it returns field errors keyed "type", "org_id", "name",
// "steps" and "steps.<i>.<field>" (i from 0).
func (s *Service) checkChain(ctx context.Context, q db.Q, sc auth.Scope, in *ChainInput) error {
	f := errs.Fields{}
	in.Type = strings.TrimSpace(in.Type)
	in.Name = strings.TrimSpace(in.Name)
	in.Note = strings.TrimSpace(in.Note)
	t, ok := s.Type(in.Type)
	if !ok {
		f.Add("type", "未知的申请类型")
	}
	if in.Name == "" && ok {
		in.Name = t.Name + "审批流程"
	}
	if in.Name == "" || len([]rune(in.Name)) > 60 {
		f.Add("name", "流程名称为 1–60 字")
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "说明不超过 500 字")
	}
	switch {
	case in.OrgID < 0:
		f.Add("org_id", "单位无效")
	case in.OrgID == 0:
		if !sc.All() {
			f.Add("org_id", "默认流程适用于全部单位，只有数据范围为“全部”的管理员可以配置；请选择单位")
		}
	default:
		if err := sc.CheckOrg(ctx, q, s.Auth.Tree, in.OrgID, "org_id"); err != nil {
			if !errs.Is(err, errs.CodeNotFound) {
				return err
			}
			f.Add("org_id", "单位不存在或不在您的数据范围内")
		}
	}
	if len(in.Steps) == 0 {
		f.Add("steps", "请至少设置一个审批步骤")
	}
	if len(in.Steps) > maxSteps {
		f.Add("steps", fmt.Sprintf("审批步骤不超过 %d 个", maxSteps))
	}
	for i := range in.Steps {
		st := &in.Steps[i]
		key := func(k string) string { return fmt.Sprintf("steps.%d.%s", i, k) }
		st.Name = strings.TrimSpace(st.Name)
		if st.Name == "" {
			st.Name = fmt.Sprintf("第 %d 步", i+1)
		}
		if len([]rune(st.Name)) > 40 {
			f.Add(key("name"), "步骤名称不超过 40 字")
		}
		if st.Mode == "" {
			st.Mode = ModeAny
		}
		if st.Mode != ModeAny && st.Mode != ModeAll {
			f.Add(key("mode"), "审批方式应为 any（或签）或 all（会签）")
		}
		switch st.Kind {
		case KindRole:
			st.Role = strings.TrimSpace(st.Role)
			st.UserIDs = nil
			if st.Role == "" {
				f.Add(key("role"), "请选择审批角色")
			} else if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM roles WHERE code = ?", st.Role); err != nil {
				return err
			} else if n == 0 {
				f.Add(key("role"), "角色不存在："+st.Role)
			}
			if st.Up < UpNearest || st.Up > maxUp {
				f.Add(key("up"), fmt.Sprintf("审批单位层级应为 -2、-1 或 0–%d", maxUp))
			}
		case KindUsers:
			st.Role, st.Up = "", 0
			seen := map[int64]bool{}
			var ids []int64
			for _, id := range st.UserIDs {
				if id > 0 && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			st.UserIDs = ids
			if len(ids) == 0 {
				f.Add(key("user_ids"), "请指定至少一名审批人")
			} else if len(ids) > 20 {
				f.Add(key("user_ids"), "指定审批人不超过 20 名")
			} else if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM users WHERE status = 'active' AND id IN ("+db.In(len(ids))+")", db.Args(ids)...); err != nil {
				return err
			} else if int(n) != len(ids) {
				f.Add(key("user_ids"), "指定的审批人不存在或已停用")
			}
		default:
			f.Add(key("kind"), "审批人类型应为 role（按角色）或 users（指定人员）")
		}
	}
	return f.Err()
}

func (s *Service) writeSteps(ctx context.Context, q db.Q, chainID int64, steps []StepInput) error {
	if _, err := q.Exec(ctx, "DELETE FROM wf_steps WHERE chain_id = ?", chainID); err != nil {
		return err
	}
	for i, st := range steps {
		id, err := db.InsertID(ctx, q, `INSERT INTO wf_steps (chain_id, step_no, name, mode, kind, role_code, up) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			chainID, i+1, st.Name, st.Mode, st.Kind, db.NullStr(st.Role), st.Up)
		if err != nil {
			return err
		}
		for _, u := range st.UserIDs {
			if _, err := q.Exec(ctx, "INSERT INTO wf_step_users (step_id, user_id) VALUES (?, ?)", id, u); err != nil {
				return err
			}
		}
	}
	return nil
}

func duplicateChain(orgID int64) error {
	msg := "该单位已配置此申请类型的审批流程，请直接修改"
	if orgID == 0 {
		msg = "此申请类型已有默认审批流程，请直接修改"
	}
	return &errs.Error{Code: errs.CodeConflict, Message: msg, Fields: map[string]string{"org_id": msg}}
}

// CreateChain adds a chain.
func (s *Service) CreateChain(ctx context.Context, sc auth.Scope, in ChainInput) (Chain, error) {
	now := s.Clock.Now()
	var out Chain
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := s.checkChain(ctx, q, sc, &in); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO wf_chains (type_code, org_id, name, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Type, db.NullInt(in.OrgID), in.Name, in.Note, now.Unix(), now.Unix())
		if db.IsUnique(err) {
			return duplicateChain(in.OrgID)
		}
		if err != nil {
			return err
		}
		if err := s.writeSteps(ctx, q, id, in.Steps); err != nil {
			return err
		}
		if out, err = s.GetChain(ctx, q, sc, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.chain.create", ObjectType: "workflow_chain", ObjectID: id,
			OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// UpdateChain changes a chain. Runs already submitted keep the steps they started with.
func (s *Service) UpdateChain(ctx context.Context, sc auth.Scope, id int64, p ChainPatch) (Chain, error) {
	now := s.Clock.Now()
	var out Chain
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.GetChain(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if before.OrgID == 0 && !sc.All() {
			return errs.Forbidden("默认流程只有数据范围为“全部”的管理员可以修改")
		}
		in := ChainInput{Type: before.Type, OrgID: before.OrgID, Name: before.Name, Note: before.Note}
		for _, st := range before.Steps {
			in.Steps = append(in.Steps, StepInput{Name: st.Name, Mode: st.Mode, Kind: st.Kind, Role: st.Role, Up: st.Up, UserIDs: st.UserIDs})
		}
		if p.OrgID != nil {
			in.OrgID = *p.OrgID
		}
		if p.Name != nil {
			in.Name = *p.Name
		}
		if p.Note != nil {
			in.Note = *p.Note
		}
		if p.Steps != nil {
			in.Steps = *p.Steps
		}
		if err := s.checkChain(ctx, q, sc, &in); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "UPDATE wf_chains SET org_id = ?, name = ?, note = ?, updated_at = ? WHERE id = ?",
			db.NullInt(in.OrgID), in.Name, in.Note, now.Unix(), id)
		if db.IsUnique(err) {
			return duplicateChain(in.OrgID)
		}
		if err != nil {
			return err
		}
		if p.Steps != nil {
			if err := s.writeSteps(ctx, q, id, in.Steps); err != nil {
				return err
			}
		}
		if out, err = s.GetChain(ctx, q, sc, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.chain.update", ObjectType: "workflow_chain", ObjectID: id,
			OrgID: in.OrgID, Success: true, Before: before, After: out})
	})
	return out, err
}

// DeleteChain removes a chain. Runs already submitted keep their snapshot and go on.
func (s *Service) DeleteChain(ctx context.Context, sc auth.Scope, id int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.GetChain(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if before.OrgID == 0 && !sc.All() {
			return errs.Forbidden("默认流程只有数据范围为“全部”的管理员可以删除")
		}
		if _, err := q.Exec(ctx, "DELETE FROM wf_chains WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.chain.delete", ObjectType: "workflow_chain", ObjectID: id,
			OrgID: before.OrgID, Success: true, Before: before})
	})
}

// ChainFor returns the chain that applies to a request of type code from the unit with the given path: the one
// configured for the nearest of the unit and its ancestors, else the type's default. No chain → 422.
func (s *Service) ChainFor(ctx context.Context, q db.Q, code, orgPath string) (Chain, error) {
	ancestors := pathIDs(orgPath)
	args := []any{code}
	cond := "c.org_id IS NULL"
	if len(ancestors) > 0 {
		cond += " OR c.org_id IN (" + db.In(len(ancestors)) + ")"
		args = append(args, db.Args(ancestors)...)
	}
	cands, err := db.Select(ctx, q, func(sc db.Scanner) (chainCand, error) {
		var c chainCand
		return c, sc.Scan(&c.id, &c.orgID)
	}, "SELECT c.id, COALESCE(c.org_id, 0) FROM wf_chains c WHERE c.type_code = ? AND ("+cond+")", args...)
	if err != nil {
		return Chain{}, err
	}
	id, ok := pickChain(cands, ancestors)
	if !ok {
		msg := "申请类型“" + s.typeName(code) + "”尚未配置审批流程，请联系系统管理员在“系统管理 › 审批流程”中配置"
		return Chain{}, &errs.Error{Code: errs.CodeValidation, Message: msg, Fields: map[string]string{"chain": msg}}
	}
	return s.GetChain(ctx, q, auth.Everything(), id)
}

// resolveStep computes the approvers of a step for a requester of the unit whose ancestors-or-self are given
// (root first): active users only, never the requester. Nobody → 422 naming the step.
func (s *Service) resolveStep(ctx context.Context, q db.Q, chainName string, st Step, ancestors []int64, requester int64) ([]int64, error) {
	var ids []int64
	switch st.Kind {
	case KindRole:
		units := targetUnits(ancestors, st.Up)
		if len(units) > 0 {
			hs, err := db.Select(ctx, q, func(sc db.Scanner) (holder, error) {
				var h holder
				return h, sc.Scan(&h.userID, &h.orgID)
			}, `SELECT u.id, u.scope_org_id FROM users u JOIN user_roles ur ON ur.user_id = u.id
				WHERE ur.role_code = ? AND u.status = 'active' AND u.scope_org_id IN (`+db.In(len(units))+`) ORDER BY u.id`,
				append([]any{st.Role}, db.Args(units)...)...)
			if err != nil {
				return nil, err
			}
			ids = pickHolders(units, hs, st.Up, requester)
		}
	case KindUsers:
		if len(st.UserIDs) > 0 {
			var err error
			ids, err = db.Int64s(ctx, q, "SELECT id FROM users WHERE status = 'active' AND id <> ? AND id IN ("+db.In(len(st.UserIDs))+") ORDER BY id",
				append([]any{requester}, db.Args(st.UserIDs)...)...)
			if err != nil {
				return nil, err
			}
		}
	}
	if len(ids) == 0 {
		why := "没有启用的指定审批人（申请人本人不能审批自己的申请）"
		if st.Kind == KindRole {
			why = UpName(st.Up) + "没有启用的“" + orDefault(st.RoleName, st.Role) + "”用户（申请人本人除外）"
		}
		msg := fmt.Sprintf("审批流程“%s”第 %d 步“%s”找不到审批人：%s。请联系系统管理员检查审批流程配置", chainName, st.No, st.Name, why)
		return nil, &errs.Error{Code: errs.CodeValidation, Message: msg, Fields: map[string]string{"chain": msg}}
	}
	return ids, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Preview is what a request of a type from a unit would go through: the chain that applies and each step's
// approvers as of now, or why it could not be submitted.
type Preview struct {
	Chain   *Chain        `json:"chain,omitempty"`
	Steps   []PreviewStep `json:"steps"`
	Problem string        `json:"problem,omitempty" doc:"无法提交的原因（未配置流程、某步找不到审批人）"`
}

// PreviewStep is one step of a Preview.
type PreviewStep struct {
	Step      Step      `json:"step"`
	Approvers []UserRef `json:"approvers"`
	Problem   string    `json:"problem,omitempty"`
}

// Preview works out the chain and approvers for a request of type code from unit orgID by requester (0: none),
// so that administrators can check a configuration before anyone submits.
func (s *Service) Preview(ctx context.Context, q db.Q, sc auth.Scope, code string, orgID, requester int64) (Preview, error) {
	out := Preview{Steps: []PreviewStep{}}
	f := errs.Fields{}
	if _, ok := s.Type(code); !ok {
		f.Add("type", "未知的申请类型")
	}
	var path string
	if orgID <= 0 {
		f.Add("org_id", "请选择申请单位")
	} else if err := sc.CheckOrg(ctx, q, s.Auth.Tree, orgID, "org_id"); err != nil {
		if !errs.Is(err, errs.CodeNotFound) {
			return out, err
		}
		f.Add("org_id", "单位不存在或不在您的数据范围内")
	} else if path, err = s.Auth.Tree.OrgPath(ctx, q, orgID); err != nil {
		return out, err
	}
	if err := f.Err(); err != nil {
		return out, err
	}
	chain, err := s.ChainFor(ctx, q, code, path)
	if errs.Is(err, errs.CodeValidation) {
		out.Problem = errs.As(err).Message
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Chain = &chain
	ancestors := pathIDs(path)
	for _, st := range chain.Steps {
		ps := PreviewStep{Step: st, Approvers: []UserRef{}}
		ids, err := s.resolveStep(ctx, q, chain.Name, st, ancestors, requester)
		switch {
		case errs.Is(err, errs.CodeValidation):
			ps.Problem = errs.As(err).Message
			if out.Problem == "" {
				out.Problem = ps.Problem
			}
		case err != nil:
			return out, err
		default:
			if ps.Approvers, err = db.Select(ctx, q, func(sc db.Scanner) (UserRef, error) {
				var u UserRef
				return u, sc.Scan(&u.ID, &u.Username, &u.Name)
			}, "SELECT id, username, display_name FROM users WHERE id IN ("+db.In(len(ids))+") ORDER BY id", db.Args(ids)...); err != nil {
				return out, err
			}
		}
		out.Steps = append(out.Steps, ps)
	}
	return out, nil
}

// TypesWithoutDefault lists the registered request types that have no default chain: units without a chain of
// their own cannot submit them.
func (s *Service) TypesWithoutDefault(ctx context.Context, q db.Q) ([]TypeInfo, error) {
	have, err := db.Strings(ctx, q, "SELECT type_code FROM wf_chains WHERE org_id IS NULL")
	if err != nil {
		return nil, err
	}
	var out []TypeInfo
	for _, t := range s.Types() {
		if !slices.Contains(have, t.Code) {
			out = append(out, t)
		}
	}
	return out, nil
}

// userID finds a user by username (case-insensitive); none → 404.
func (s *Service) userID(ctx context.Context, q db.Q, username string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM users WHERE lower(username) = lower(?)", username).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.NotFound("用户")
	}
	return id, err
}
