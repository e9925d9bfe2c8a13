package notify

import (
	"embed"
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

type inboxPage struct {
	web.Globals
	Tab    string
	Items  []InboxItem
	Pager  web.Pager
	Unread int64
}

// Unread is the answer of GET /api/v1/notifications/unread-count.
type Unread struct {
	Count int64 `json:"count"`
}

// ReadAll is the answer of POST /api/v1/notifications/read-all.
type ReadAll struct {
	Updated int64 `json:"updated"`
}

// Routes registers the inbox and webhook pages and API.
func (s *Service) Routes() {
	u := s.UI
	u.AddTemplates("notify", web.Sub(templatesFS, "templates"))
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	s.inboxRoutes()
	s.webhookPages()
	s.webhookAPI()
}

func userID(r *http.Request) (int64, error) {
	p := web.PrincipalFrom(r.Context())
	if p == nil {
		return 0, &errs.Error{Code: errs.CodeUnauthenticated, Message: "请先登录"}
	}
	return p.UserID(), nil
}

func (s *Service) inboxRoutes() {
	u := s.UI
	u.Page("GET /notifications", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		uid, err := userID(r)
		if err != nil {
			return err
		}
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		tab := r.URL.Query().Get("tab")
		if tab != "all" {
			tab = "unread"
		}
		p := &inboxPage{Globals: u.G(r, "notify.inbox|消息中心", web.Crumb{Label: "notify.inbox|消息中心"}), Tab: tab}
		var total int64
		if p.Items, total, err = s.Inbox(r.Context(), s.DB, uid, tab == "unread", l.Offset(), l.PageSize); err != nil {
			return err
		}
		if p.Unread, err = s.UnreadCount(r.Context(), s.DB, uid); err != nil {
			return err
		}
		lang := web.Lang(r)
		for i := range p.Items {
			p.Items[i].EventLabel = s.eventLabel(lang, p.Items[i].Event)
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, http.StatusOK, "notify/inbox.html", p)
	})
	back := func(r *http.Request) string {
		if r.PostFormValue("tab") == "all" {
			return "/notifications?tab=all"
		}
		return "/notifications"
	}
	u.Page("POST /notifications/{id}/read", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		uid, id, err := inboxIDs(r)
		if err != nil {
			return err
		}
		if _, err := s.MarkRead(r.Context(), uid, id); err != nil {
			return err
		}
		return u.Redirect(w, r, back(r), "")
	})
	u.Page("POST /notifications/{id}/open", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		uid, id, err := inboxIDs(r)
		if err != nil {
			return err
		}
		it, err := s.MarkRead(r.Context(), uid, id)
		if err != nil {
			return err
		}
		to := it.Link
		if to == "" || !ValidLink(to) {
			to = back(r)
		}
		return u.Redirect(w, r, to, "")
	})
	u.Page("POST /notifications/read-all", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		uid, err := userID(r)
		if err != nil {
			return err
		}
		n, err := s.MarkAllRead(r.Context(), uid)
		if err != nil {
			return err
		}
		return u.Redirect(w, r, back(r), "已将 "+strconv.FormatInt(n, 10)+" 条消息标为已读")
	})

	u.API("GET /api/v1/notifications", web.SignedIn, web.Doc{Summary: "我的消息（新的在前）", Response: InboxItem{}, List: true,
		Query: []web.Param{{Name: "unread", Type: "boolean", Help: "true 只列未读"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			uid, err := userID(r)
			if err != nil {
				return err
			}
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			unread := false
			switch r.URL.Query().Get("unread") {
			case "true", "1":
				unread = true
			case "", "false", "0":
			default:
				return errs.Invalid("unread", "应为 true 或 false")
			}
			items, total, err := s.Inbox(r.Context(), s.DB, uid, unread, l.Offset(), l.PageSize)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("GET /api/v1/notifications/unread-count", web.SignedIn, web.Doc{Summary: "我的未读消息数", Response: Unread{}},
		func(w http.ResponseWriter, r *http.Request) error {
			uid, err := userID(r)
			if err != nil {
				return err
			}
			n, err := s.UnreadCount(r.Context(), s.DB, uid)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, Unread{Count: n})
		})
	u.API("POST /api/v1/notifications/{id}/read", web.SignedIn, web.Doc{Summary: "将一条消息标为已读（别人的消息答 404）", Response: InboxItem{}},
		func(w http.ResponseWriter, r *http.Request) error {
			uid, id, err := inboxIDs(r)
			if err != nil {
				return err
			}
			it, err := s.MarkRead(r.Context(), uid, id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, it)
		})
	u.API("POST /api/v1/notifications/read-all", web.SignedIn, web.Doc{Summary: "将我的全部消息标为已读", Response: ReadAll{}},
		func(w http.ResponseWriter, r *http.Request) error {
			uid, err := userID(r)
			if err != nil {
				return err
			}
			n, err := s.MarkAllRead(r.Context(), uid)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, ReadAll{Updated: n})
		})
}

func inboxIDs(r *http.Request) (int64, int64, error) {
	uid, err := userID(r)
	if err != nil {
		return 0, 0, err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return 0, 0, errs.NotFound("消息")
	}
	return uid, id, nil
}
