package space

import "github.com/govops/govops/internal/platform/web"

// helpTopics are the office-space help pages (docs/help.md): the register, the compliance rules, rectification,
// allocation.
func helpTopics() []web.HelpTopic {
	g := "menu.space|办公用房"
	return []web.HelpTopic{
		{Name: "register", Title: "space.help.register|房产、楼栋与房间台账", Group: g, Perm: PermRead, Order: 10,
			Pages: []string{"/space/buildings/...", "/space/properties/...", "/space/floors/...", "/space/rooms/...", "/space/ledger/...", "/space/stocktakes/...", "/space/people/..."}},
		{Name: "compliance", Title: "space.help.compliance|合规检查与面积标准", Group: g, Perm: PermRead, Order: 20,
			Pages: []string{"/space/overview", "/space/violations/...", "/space/standards/..."}},
		{Name: "rectification", Title: "space.help.rectification|整改任务与整改通知书", Group: g, Perm: PermRead, Order: 30,
			Pages: []string{"/space/rectifications/..."}},
		{Name: "allocation", Title: "space.help.allocation|调剂、腾退、使用协议与维修处置", Group: g, Perm: PermRead, Order: 40,
			Pages: []string{"/space/allocations/...", "/space/vacates/...", "/space/agreements/...", "/space/repairs/...", "/space/disposals/..."}},
	}
}
