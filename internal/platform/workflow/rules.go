package workflow

import (
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// Instance statuses, mirrored by the CHECK constraint of wf_instances.status.
const (
	StatusPending   = "pending"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusWithdrawn = "withdrawn"
)

// Action is what a user does to an instance.
type Action string

// The actions of the API (POST /api/v1/workflow/instances/{id}/<action>).
const (
	ActApprove  Action = "approve"  // the current step's approver agrees
	ActReject   Action = "reject"   // the current step's approver refuses: the run ends rejected
	ActReturn   Action = "return"   // the current step's approver sends the run back to the previous step
	ActComment  Action = "comment"  // anyone who may see the run adds a remark; the state does not change
	ActWithdraw Action = "withdraw" // the requester takes the request back while it is pending
)

// Step modes and approver kinds, mirrored by the CHECK constraints of wf_steps.
const (
	ModeAny   = "any"   // the first approval completes the step
	ModeAll   = "all"   // every resolved approver must approve
	KindRole  = "role"  // holders of a role at a unit derived from the requester's unit
	KindUsers = "users" // named users
)

// Special values of Step.Up besides 0, 1, 2, … levels above the requester's unit.
const (
	UpAny     = -1 // every holder at the requester's unit or any of its ancestors
	UpNearest = -2 // the holders at the nearest of the requester's unit and its ancestors that has any
	maxUp     = 10
)

// task statuses, mirrored by the CHECK constraint of wf_tasks.status.
const (
	taskPending   = "pending"
	taskApproved  = "approved"
	taskRejected  = "rejected"
	taskReturned  = "returned"
	taskSkipped   = "skipped"
	taskCancelled = "cancelled"
)

// transitions is the one table of allowed actions per instance status and the status each leads to ("" = the
// status stays, or — for approve and return — depends on the step).
var transitions = map[Action]struct {
	from []string
	to   string
}{
	ActApprove:  {[]string{StatusPending}, ""},
	ActReject:   {[]string{StatusPending}, StatusRejected},
	ActReturn:   {[]string{StatusPending}, ""},
	ActWithdraw: {[]string{StatusPending}, StatusWithdrawn},
	ActComment:  {[]string{StatusPending, StatusApproved, StatusRejected, StatusWithdrawn}, ""},
}

// StatusNames are the Chinese names of the instance statuses.
var StatusNames = map[string]string{StatusPending: "审批中", StatusApproved: "已通过", StatusRejected: "已驳回", StatusWithdrawn: "已撤回"}

var statusKeys = map[string]string{
	StatusPending: "workflow.status.pending|审批中", StatusApproved: "workflow.status.approved|已通过",
	StatusRejected: "workflow.status.rejected|已驳回", StatusWithdrawn: "workflow.status.withdrawn|已撤回",
}

var taskKeys = map[string]string{
	taskPending: "workflow.task.pending|待审批", taskApproved: "workflow.task.approved|同意", taskRejected: "workflow.task.rejected|驳回",
	taskReturned: "workflow.task.returned|退回", taskSkipped: "workflow.task.skipped|无需审批", taskCancelled: "workflow.task.cancelled|已取消",
}

var actionKeys = map[string]string{
	"submit": "workflow.ev.submit|提交申请", "approve": "workflow.ev.approve|同意", "reject": "workflow.ev.reject|驳回",
	"return": "workflow.ev.return|退回上一步", "comment": "workflow.ev.comment|评论", "withdraw": "workflow.ev.withdraw|撤回申请",
	"advance": "workflow.ev.advance|进入审批步骤", "complete": "workflow.ev.complete|审批通过",
}

// ActionNames are the Chinese names of the history actions.
var ActionNames = map[string]string{"submit": "提交申请", "approve": "同意", "reject": "驳回", "return": "退回上一步",
	"comment": "评论", "withdraw": "撤回申请", "advance": "进入审批步骤", "complete": "审批通过"}

// checkTransition answers 409 when action is not allowed in status.
func checkTransition(status string, a Action) error {
	t, ok := transitions[a]
	if !ok {
		return errs.Invalid("action", "未知的审批操作")
	}
	for _, f := range t.from {
		if f == status {
			return nil
		}
	}
	return errs.Conflict("该申请" + StatusNames[status] + "，不能再" + map[Action]string{ActApprove: "审批", ActReject: "驳回",
		ActReturn: "退回", ActWithdraw: "撤回", ActComment: "评论"}[a])
}

// stepDone says whether a step is complete once approved of its tasks are approved and pending still wait:
// any-of needs one approval, all-of needs every task approved.
func stepDone(mode string, approved, pending int) bool {
	if mode == ModeAny {
		return approved > 0
	}
	return approved > 0 && pending == 0
}

// pathIDs splits a materialised path ("/1/5/23/") into unit ids, root first.
func pathIDs(path string) []int64 {
	var out []int64
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if n, err := strconv.ParseInt(seg, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// targetUnits returns the units whose role holders a role step with this up value considers, nearest first
// (the requester's unit is the last element of ancestors). For up ≥ 0 it is one unit, or none above the root.
func targetUnits(ancestors []int64, up int) []int64 {
	switch {
	case up >= 0:
		i := len(ancestors) - 1 - up
		if i < 0 {
			return nil
		}
		return []int64{ancestors[i]}
	case up == UpAny || up == UpNearest:
		out := make([]int64, 0, len(ancestors))
		for i := len(ancestors) - 1; i >= 0; i-- {
			out = append(out, ancestors[i])
		}
		return out
	}
	return nil
}

// holder is a user holding a role with their scope unit.
type holder struct{ userID, orgID int64 }

// pickHolders chooses the approvers of a role step among holders at the target units (nearest first): all of
// them, except for UpNearest, which keeps only those of the nearest unit that has any. The requester never
// approves their own request.
func pickHolders(units []int64, hs []holder, up int, requester int64) []int64 {
	byOrg := map[int64][]int64{}
	for _, h := range hs {
		if h.userID != requester {
			byOrg[h.orgID] = append(byOrg[h.orgID], h.userID)
		}
	}
	var out []int64
	for _, u := range units {
		if len(byOrg[u]) == 0 {
			continue
		}
		out = append(out, byOrg[u]...)
		if up == UpNearest {
			break
		}
	}
	return out
}

// chainCand is a configured chain for a type: OrgID 0 is the type's default.
type chainCand struct{ id, orgID int64 }

// pickChain chooses the chain for a requester's unit: the one configured for the nearest of the unit and its
// ancestors, else the type's default. ok is false when neither exists.
func pickChain(cands []chainCand, ancestors []int64) (id int64, ok bool) {
	byOrg := map[int64]int64{}
	def := int64(0)
	for _, c := range cands {
		if c.orgID == 0 {
			def = c.id
		} else {
			byOrg[c.orgID] = c.id
		}
	}
	for i := len(ancestors) - 1; i >= 0; i-- {
		if id, ok := byOrg[ancestors[i]]; ok {
			return id, true
		}
	}
	return def, def != 0
}

// UpName describes a role step's unit in Chinese.
func UpName(up int) string {
	switch up {
	case 0:
		return "申请单位"
	case 1:
		return "上一级单位"
	case UpAny:
		return "申请单位及全部上级"
	case UpNearest:
		return "最近一级有该角色的单位"
	}
	return "上 " + strconv.Itoa(up) + " 级单位"
}

// upKeys are the "key|中文" labels of the usual Step.Up values for templates.
var upKeys = map[int]string{0: "workflow.up.0|申请单位", 1: "workflow.up.1|上一级单位", 2: "workflow.up.2|上两级单位",
	3: "workflow.up.3|上三级单位", UpAny: "workflow.up.any|申请单位及全部上级", UpNearest: "workflow.up.nearest|最近一级有该角色的单位"}

// ModeNames are the Chinese names of the step modes.
var ModeNames = map[string]string{ModeAny: "或签（任一人同意即可）", ModeAll: "会签（全部同意）"}

// upChoices are the choices of a role step's unit in the configuration form.
var upChoices = []int{0, 1, 2, 3, UpNearest, UpAny}
