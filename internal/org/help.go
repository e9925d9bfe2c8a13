package org

import "github.com/govops/govops/internal/platform/web"

// helpTopics are the spine's help pages (docs/help.md): units and data scope, people.
func helpTopics() []web.HelpTopic {
	g := "menu.org|组织机构"
	return []web.HelpTopic{
		{Name: "units", Title: "org.help.units|单位与数据范围", Group: g, Perm: "org:read", Pages: []string{"/orgs/..."}, Order: 10},
		{Name: "people", Title: "org.help.people|人员与职级", Group: g, Perm: "person:read", Pages: []string{"/people/..."}, Order: 20},
	}
}
