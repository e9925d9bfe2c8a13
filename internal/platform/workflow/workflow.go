// Package workflow is the approval kit. Administrators configure approval chains per request type and unit:
// ordered steps whose approvers are a role at the requester's unit or one of its ancestors, or named users, and
// which complete on the first approval (any-of) or on everyone's (all-of). Modules register their request types,
// submit a run inside their own transaction and learn the outcome through a hook in the deciding transaction.
// Users find what waits for them (also as a delegate) in an inbox, decide with comments, and every run keeps its
// full history.
package workflow

import (
	"context"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the workflow tables (after the spine's and identity's, which they refer to).
var Migrations = db.Embedded("workflow", migrationsFS)

// PermConfig is the permission to configure approval chains (registered by the identity kit).
const PermConfig = "workflow:config"

// Type is a kind of request a module sends for approval, e.g. a trip request of the fleet module.
type Type struct {
	// Code is stable and unique, lower case, e.g. "fleet.trip".
	Code string
	// Name is the Chinese name shown in inboxes and the configuration, e.g. "用车申请".
	Name string
	// Link is the module's page of the object; "{id}" is replaced by the object id, e.g. "/fleet/requests/{id}".
	Link string
	// OnDecided, when set, runs in the deciding transaction when a run ends (approved, rejected or withdrawn), so
	// the module updates its object atomically with the decision. An error undoes the decision.
	OnDecided func(ctx context.Context, q db.Q, inst Instance) error
}

// TypeInfo is a registered type as the API lists it.
type TypeInfo struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Link string `json:"link"`
}

var typeCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_.]{1,39}$`)

// Service is the workflow kit instance.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	UI    *web.UI
	Auth  *auth.Service

	// Notify, when wired, is told in the changing transaction whom a run now concerns: the approvers of a step
	// that just opened, or the requester when the run ended. The notification kit plugs in here.
	Notify func(ctx context.Context, q db.Q, n Notice) error

	mu    sync.RWMutex
	types map[string]Type
}

// Notice kinds.
const (
	NoticeWaiting  = "waiting"  // a step opened: UserIDs are its approvers
	NoticeFinished = "finished" // the run ended (approved, rejected, withdrawn): UserIDs is the requester
)

// Notice is what the Notify hook hears.
type Notice struct {
	Kind     string
	Instance Instance // without steps, tasks or history
	UserIDs  []int64
}

// New makes the service.
func New(d *db.DB, clk clock.Clock, ui *web.UI, a *auth.Service) *Service {
	audit.RegisterActions(map[string]string{
		"workflow.submit": "提交审批", "workflow.approve": "审批同意", "workflow.reject": "审批驳回", "workflow.return": "审批退回",
		"workflow.comment": "审批评论", "workflow.withdraw": "撤回申请", "workflow.chain.create": "新建审批流程",
		"workflow.chain.update": "修改审批流程", "workflow.chain.delete": "删除审批流程", "workflow.delegation.create": "设置审批委托",
		"workflow.delegation.revoke": "撤销审批委托",
	}, map[string]string{"workflow_instance": "审批", "workflow_chain": "审批流程", "workflow_delegation": "审批委托"})
	return &Service{DB: d, Clock: clk, UI: ui, Auth: a, types: map[string]Type{}}
}

// RegisterType makes a request type known; modules call it at wiring time. A malformed or duplicate code is a
// programming error and panics.
func (s *Service) RegisterType(t Type) {
	if !typeCodeRe.MatchString(t.Code) || strings.TrimSpace(t.Name) == "" {
		panic(fmt.Sprintf("workflow: invalid request type %q (%q)", t.Code, t.Name))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.types[t.Code]; dup {
		panic("workflow: request type registered twice: " + t.Code)
	}
	s.types[t.Code] = t
}

// Type returns a registered request type.
func (s *Service) Type(code string) (Type, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.types[code]
	return t, ok
}

// Types lists the registered request types by code.
// MayApprove reports whether u takes part in approvals: a chain names their role or them, a run ever gave them a
// task, or a colleague delegated approvals to them. The inbox shows the rest only their own requests.
func (s *Service) MayApprove(ctx context.Context, q db.Q, u *auth.User) (bool, error) {
	if u == nil {
		return false, nil
	}
	args := []any{u.ID, u.ID, u.ID}
	roles := "''"
	if len(u.Roles) > 0 {
		roles = strings.TrimSuffix(strings.Repeat("?, ", len(u.Roles)), ", ")
		for _, r := range u.Roles {
			args = append(args, r)
		}
	}
	n, err := db.Count(ctx, q, `SELECT (SELECT COUNT(*) FROM wf_step_users WHERE user_id = ?) + (SELECT COUNT(*) FROM wf_tasks WHERE user_id = ?)
		+ (SELECT COUNT(*) FROM wf_delegations WHERE to_user_id = ? AND status = 'active')
		+ (SELECT COUNT(*) FROM wf_steps WHERE kind = 'role' AND role_code IN (`+roles+`))`, args...)
	return n > 0, err
}

// requestedTypes are the request types of u's own runs (the type filter of someone who only requests).
func (s *Service) requestedTypes(ctx context.Context, q db.Q, u *auth.User) ([]TypeInfo, error) {
	codes, err := db.Strings(ctx, q, "SELECT DISTINCT type_code FROM wf_instances WHERE requester_id = ?", u.ID)
	if err != nil {
		return nil, err
	}
	var out []TypeInfo
	for _, t := range s.Types() {
		if slices.Contains(codes, t.Code) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *Service) Types() []TypeInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]TypeInfo, 0, len(s.types))
	for _, t := range s.types {
		out = append(out, TypeInfo{Code: t.Code, Name: t.Name, Link: t.Link})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func (s *Service) typeName(code string) string {
	if t, ok := s.Type(code); ok {
		return t.Name
	}
	return code
}

func (s *Service) link(code string, objectID int64) string {
	t, ok := s.Type(code)
	if !ok || t.Link == "" {
		return ""
	}
	return strings.ReplaceAll(t.Link, "{id}", strconv.FormatInt(objectID, 10))
}

// Instance is one approval run of one business object.
type Instance struct {
	ID            int64     `json:"id"`
	Type          string    `json:"type"`
	TypeName      string    `json:"type_name"`
	ObjectID      int64     `json:"object_id"`
	Link          string    `json:"link" doc:"业务单据页面"`
	RequesterID   int64     `json:"requester_id"`
	RequesterName string    `json:"requester_name"`
	OrgID         int64     `json:"org_id"`
	OrgName       string    `json:"org_name"`
	ChainID       int64     `json:"chain_id"`
	ChainName     string    `json:"chain_name"`
	Title         string    `json:"title"`
	Summary       string    `json:"summary"`
	Status        string    `json:"status" doc:"pending 审批中 · approved 已通过 · rejected 已驳回 · withdrawn 已撤回"`
	StatusName    string    `json:"status_name"`
	StepNo        int       `json:"step_no" doc:"当前步骤（从 1 开始）；结束后为结束时所在步骤"`
	StepCount     int       `json:"step_count"`
	StepName      string    `json:"step_name"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	FinishedAt    time.Time `json:"finished_at,omitempty,omitzero"`

	// Steps is the chain as it was at submit (detail only).
	Steps []Step `json:"steps,omitempty"`
	// Tasks are the approvers' shares of each step so far (detail only).
	Tasks []Task `json:"tasks,omitempty"`
	// History is the timeline (detail only).
	History []Event `json:"history,omitempty"`
	// CanDecide and CanWithdraw tell the caller which actions are open to them (detail only).
	CanDecide   bool `json:"can_decide"`
	CanWithdraw bool `json:"can_withdraw"`
}

// StatusLabel is the "key|中文" of the status for templates.
func (i Instance) StatusLabel() string { return statusKeys[i.Status] }

// Pending reports whether the run still waits for decisions.
func (i Instance) Pending() bool { return i.Status == StatusPending }

// StepTasks returns the tasks of step n, for the detail page.
func (i Instance) StepTasks(n int) []Task {
	var out []Task
	for _, t := range i.Tasks {
		if t.StepNo == n {
			out = append(out, t)
		}
	}
	return out
}

// Task is one approver's share of one step.
type Task struct {
	ID          int64     `json:"id"`
	StepNo      int       `json:"step_no"`
	UserID      int64     `json:"user_id"`
	UserName    string    `json:"user_name"`
	Status      string    `json:"status" doc:"pending · approved · rejected · returned · skipped · cancelled"`
	DecidedByID int64     `json:"decided_by_id,omitempty"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitempty,omitzero"`
}

// StatusLabel is the "key|中文" of the task status for templates.
func (t Task) StatusLabel() string { return taskKeys[t.Status] }

// Delegated reports whether someone else decided on the approver's behalf.
func (t Task) Delegated() bool { return t.DecidedByID != 0 && t.DecidedByID != t.UserID }

// Event is one line of a run's history.
type Event struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"actor_id,omitempty"`
	Actor    string    `json:"actor"`
	OnBehalf string    `json:"on_behalf,omitempty" doc:"代谁审批（委托）"`
	Action   string    `json:"action" doc:"submit · approve · reject · return · comment · withdraw · advance · complete"`
	StepNo   int       `json:"step_no,omitempty"`
	StepName string    `json:"step_name,omitempty"`
	Comment  string    `json:"comment,omitempty"`
}

// ActionLabel is the "key|中文" of the action for templates.
func (e Event) ActionLabel() string { return actionKeys[e.Action] }

// Routes registers the inbox, the instance pages, the chain configuration and the API.
func (s *Service) Routes() {
	u := s.UI
	u.AddTemplates("workflow", web.Sub(templatesFS, "templates"))
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddMenu(
		web.MenuItem{Group: "menu.work|工作台", Label: "workflow.inbox|待办审批", Path: "/inbox", Perm: web.SignedIn, Order: 10},
		web.MenuItem{Group: "menu.system|系统管理", Label: "workflow.chains|审批流程", Path: "/admin/workflows", Perm: PermConfig, Order: 40},
	)
	s.inboxPages()
	s.chainPages()
	s.api()
}

// PendingCount is the number of runs waiting for u's decision, directly or as a delegate (home page).
func (s *Service) PendingCount(ctx context.Context, u *auth.User) (int64, error) {
	if u == nil {
		return 0, nil
	}
	cond, args := s.waitingCond(u.ID)
	return db.Count(ctx, s.DB, "SELECT COUNT(*) FROM wf_instances i WHERE "+cond, args...)
}

func fromUnix(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0).In(clock.Shanghai)
}
