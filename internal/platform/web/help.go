package web

import (
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// The help pages (docs/help.md): modules declare help topics in their manifest — a page template and the pages it
// explains — and the kit serves them at /help/{module}/{name}, lists the ones the user may read at /help, and puts
// a 帮助 link on the pages a topic explains.

// HelpTopic is one help page: what a page is for, the rule it applies, where its figures come from.
type HelpTopic struct {
	// Module is the template namespace of the page (set by the module kit from the manifest's name).
	Module string
	// Name names the topic in its URL (/help/<module>/<name>); the page is the module's help_<name>.html.
	Name string
	// Title is the topic's title, "key|中文".
	Title string
	// Perm is who may read it: the permission of the pages it explains (SignedIn for everyone).
	Perm string
	// Pages are the paths the topic explains, as path.Match patterns ("/space/rooms", "/space/rooms/*"), or a path
	// ending in "/..." for it and everything below it ("/space/rooms/..."); those pages show a 帮助 link to it.
	Pages []string
	// Group heads the module's topics in the list, "key|中文" (the module's menu group, e.g. "menu.space|办公用房").
	Group string
	// Order sorts the topics of a module in the list.
	Order int
}

// Path is the topic's URL.
func (h HelpTopic) Path() string { return "/help/" + h.Module + "/" + h.Name }

// Template is the topic's page template.
func (h HelpTopic) Template() string { return h.Module + "/help_" + h.Name + ".html" }

// HelpLink is the 帮助 link of a page: the title of its topic and where it is.
type HelpLink struct{ Title, Path string }

// AddHelp registers a module's help topics (the module kit calls it with the manifest's Help).
func (u *UI) AddHelp(module string, topics ...HelpTopic) {
	for _, t := range topics {
		if t.Name == "" || t.Title == "" || t.Perm == "" || t.Group == "" || strings.ContainsAny(t.Name, "/?#") {
			panic("web: help topic of " + module + " needs a name, a title, a group and a permission: " + t.Name)
		}
		for _, p := range t.Pages {
			if _, err := path.Match(p, "/"); err != nil || !strings.HasPrefix(p, "/") {
				panic("web: help topic " + module + "/" + t.Name + " has a bad page pattern " + p)
			}
		}
		t.Module = module
		for _, o := range u.help {
			if o.Path() == t.Path() {
				panic("web: duplicate help topic " + t.Path())
			}
		}
		u.help = append(u.help, t)
	}
}

// HelpTopics lists every registered topic (tests render each one).
func (u *UI) HelpTopics() []HelpTopic { return append([]HelpTopic(nil), u.help...) }

func canRead(p Principal, perm string) bool { return p != nil && (perm == SignedIn || p.Can(perm)) }

// helpFor is the help link of the page at r's path for p: the readable topic with the most specific matching
// pattern (the longest), nil when none.
func (u *UI) helpFor(r *http.Request, p Principal) *HelpLink {
	if p == nil || strings.HasPrefix(r.URL.Path, "/help") {
		return nil
	}
	var best *HelpTopic
	bestLen := -1
	for i, t := range u.help {
		if !canRead(p, t.Perm) {
			continue
		}
		for _, pat := range t.Pages {
			if helpMatch(pat, r.URL.Path) && len(pat) > bestLen {
				best, bestLen = &u.help[i], len(pat)
			}
		}
	}
	if best == nil {
		return nil
	}
	return &HelpLink{Title: u.Catalog.T(Lang(r), best.Title), Path: best.Path()}
}

// helpMatch reports whether a page pattern of a topic matches a request path.
func helpMatch(pat, p string) bool {
	if base, ok := strings.CutSuffix(pat, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	ok, _ := path.Match(pat, p)
	return ok
}

// HelpGroup is a module's topics in the help index.
type HelpGroup struct {
	Module, Label string
	Topics        []HelpLink
}

type helpIndexPage struct {
	Globals
	Groups []HelpGroup
}

// HelpPage is the data of a topic's page: the globals, the topic, and the module's other topics the user may
// read.
type HelpPage struct {
	Globals
	Topic   HelpTopic
	Related []HelpLink
}

// readable lists the topics p may read, by module (registration order) then Order.
func (u *UI) readable(r *http.Request, p Principal) []HelpGroup {
	var out []HelpGroup
	idx := map[string]int{}
	rank := map[string]int{}
	for _, t := range u.help {
		if _, ok := rank[t.Module]; !ok {
			rank[t.Module] = len(rank)
		}
	}
	topics := append([]HelpTopic(nil), u.help...)
	sort.SliceStable(topics, func(i, j int) bool {
		if a, b := rank[topics[i].Module], rank[topics[j].Module]; a != b {
			return a < b
		}
		return topics[i].Order < topics[j].Order
	})
	for _, t := range topics {
		if !canRead(p, t.Perm) {
			continue
		}
		i, ok := idx[t.Module]
		if !ok {
			i = len(out)
			idx[t.Module] = i
			out = append(out, HelpGroup{Module: t.Module, Label: u.Catalog.T(Lang(r), t.Group)})
		}
		out[i].Topics = append(out[i].Topics, HelpLink{Title: u.Catalog.T(Lang(r), t.Title), Path: t.Path()})
	}
	return out
}

// helpRoutes serves the help index and the topics.
func (u *UI) helpRoutes() {
	u.Page("GET /help", SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		p := &helpIndexPage{Globals: u.G(r, "web.help|帮助", Crumb{Label: "web.help|帮助"})}
		p.Groups = u.readable(r, p.User)
		return u.Render(w, r, http.StatusOK, "web/help.html", p)
	})
	u.Page("GET /help/{module}/{name}", SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		want := "/help/" + r.PathValue("module") + "/" + r.PathValue("name")
		for _, t := range u.help {
			if t.Path() != want {
				continue
			}
			me := PrincipalFrom(r.Context())
			if !canRead(me, t.Perm) {
				return errs.Forbidden("无权查看该帮助")
			}
			p := &HelpPage{Globals: u.G(r, t.Title, Crumb{Label: "web.help|帮助", Path: "/help"}, Crumb{Label: t.Title}), Topic: t}
			for _, g := range u.readable(r, me) {
				if g.Module != t.Module {
					continue
				}
				for _, l := range g.Topics {
					if l.Path != want {
						p.Related = append(p.Related, l)
					}
				}
			}
			return u.Render(w, r, http.StatusOK, t.Template(), p)
		}
		return errs.NotFound("帮助主题")
	})
}
