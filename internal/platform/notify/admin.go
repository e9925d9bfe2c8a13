package notify

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// permAdmin guards webhook configuration: it can send data out of the platform.
const permAdmin = "settings:write"

type hooksPage struct {
	web.Globals
	Hooks     []Webhook
	Site      SiteSettings
	SiteError string
	Kinds     map[string]string
}

type hookForm struct {
	Name, URL, Kind, Events string
	AllEvents, Enabled      bool
}

type hookPage struct {
	web.Globals
	Hook       *Webhook
	Form       hookForm
	Errors     map[string]string
	Kinds      []web.Option
	Events     []EventName
	Deliveries []Delivery
	Pager      web.Pager
}

func (s *Service) kindOptions(r *http.Request) []web.Option {
	lang := web.Lang(r)
	out := make([]web.Option, len(Kinds))
	for i, k := range Kinds {
		out[i] = web.Option{Value: k.Code, Label: s.UI.Catalog.T(lang, k.Label)}
	}
	return out
}

func (s *Service) kindNames(r *http.Request) map[string]string {
	out := map[string]string{}
	for _, o := range s.kindOptions(r) {
		out[o.Value] = o.Label
	}
	return out
}

func (s *Service) eventOptions(r *http.Request) []EventName {
	lang := web.Lang(r)
	evs := s.Events()
	for i := range evs {
		evs[i].Label = s.eventLabel(lang, evs[i].Code)
	}
	return evs
}

func formOf(w Webhook) hookForm {
	f := hookForm{Name: w.Name, URL: w.URL, Kind: w.Kind, Enabled: w.Enabled, AllEvents: w.AllEvents()}
	if !f.AllEvents {
		for i, e := range w.Events {
			if i > 0 {
				f.Events += " "
			}
			f.Events += e
		}
	}
	return f
}

func parseHookForm(r *http.Request) (f hookForm, events []string, secret string, clearSecret bool) {
	f = hookForm{Name: r.PostFormValue("name"), URL: r.PostFormValue("url"), Kind: r.PostFormValue("kind"), Events: r.PostFormValue("events"),
		AllEvents: r.PostFormValue("all_events") != "", Enabled: r.PostFormValue("enabled") != ""}
	events = []string{f.Events}
	if f.AllEvents {
		events = []string{"*"}
	}
	return f, events, r.PostFormValue("secret"), r.PostFormValue("clear_secret") != ""
}

func hookCrumbs(title string) []web.Crumb {
	return []web.Crumb{{Label: "menu.system|系统管理"}, {Label: "notify.webhooks|消息推送", Path: "/admin/webhooks"}, {Label: title}}
}

func (s *Service) renderHook(w http.ResponseWriter, r *http.Request, status int, h *Webhook, f hookForm, fields map[string]string) error {
	title := "notify.webhook.new|新建 Webhook"
	if h != nil {
		title = "|" + h.Name // user data, not a catalogue key
	}
	p := &hookPage{Globals: s.UI.G(r, title, hookCrumbs(title)...), Hook: h, Form: f, Errors: fields, Kinds: s.kindOptions(r), Events: s.eventOptions(r)}
	if h != nil {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		var total int64
		if p.Deliveries, total, err = s.Deliveries(r.Context(), s.DB, h.ID, l.Offset(), l.PageSize); err != nil {
			return err
		}
		p.Pager = web.NewPager(l, total)
	}
	return s.UI.Render(w, r, status, "notify/webhook.html", p)
}

func (s *Service) renderHooks(w http.ResponseWriter, r *http.Request, status int, site SiteSettings, siteErr string) error {
	hooks, err := s.Webhooks(r.Context(), s.DB)
	if err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "notify/webhooks.html", &hooksPage{
		Globals: s.UI.G(r, "notify.webhooks|消息推送", web.Crumb{Label: "menu.system|系统管理"}, web.Crumb{Label: "notify.webhooks|消息推送"}),
		Hooks:   hooks, Site: site, SiteError: siteErr, Kinds: s.kindNames(r)})
}

// fieldsOf returns the field errors of a user-facing error, or nil when err must propagate.
func fieldsOf(err error) map[string]string {
	if e := errs.As(err); e != nil && e.Fields != nil {
		return e.Fields
	}
	return nil
}

func (s *Service) webhookPages() {
	u := s.UI
	u.AddMenu(web.MenuItem{Group: "menu.system|系统管理", Label: "notify.webhooks|消息推送", Path: "/admin/webhooks", Perm: permAdmin, Order: 70})
	hookOf := func(r *http.Request) (Webhook, error) {
		id, err := web.PathID(r, "id")
		if err != nil {
			return Webhook{}, err
		}
		return s.GetWebhook(r.Context(), s.DB, id)
	}
	u.Page("GET /admin/webhooks", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		site, err := s.Site(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return s.renderHooks(w, r, http.StatusOK, site, "")
	})
	u.Page("POST /admin/webhooks/site", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		site := SiteSettings{SiteURL: r.PostFormValue("site_url")}
		if err := s.SaveSite(r.Context(), site); err != nil {
			if f := fieldsOf(err); f != nil {
				return s.renderHooks(w, r, errs.Status(errs.CodeOf(err)), site, f["site_url"])
			}
			return err
		}
		return u.Redirect(w, r, "/admin/webhooks", "已保存平台地址")
	})
	u.Page("GET /admin/webhooks/new", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderHook(w, r, http.StatusOK, nil, hookForm{Kind: KindGeneric, Enabled: true}, nil)
	})
	u.Page("POST /admin/webhooks", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		f, events, secret, _ := parseHookForm(r)
		enabled := f.Enabled
		h, err := s.CreateWebhook(r.Context(), WebhookInput{Name: f.Name, URL: f.URL, Kind: f.Kind, Events: events, Secret: secret, Enabled: &enabled})
		if fields := fieldsOf(err); fields != nil {
			return s.renderHook(w, r, errs.Status(errs.CodeOf(err)), nil, f, fields)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(h.ID, 10), "已创建 Webhook“"+h.Name+"”")
	})
	u.Page("GET /admin/webhooks/{id}", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		h, err := hookOf(r)
		if err != nil {
			return err
		}
		return s.renderHook(w, r, http.StatusOK, &h, formOf(h), nil)
	})
	u.Page("POST /admin/webhooks/{id}", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		h, err := hookOf(r)
		if err != nil {
			return err
		}
		f, events, secret, clearSecret := parseHookForm(r)
		p := WebhookPatch{Name: &f.Name, URL: &f.URL, Kind: &f.Kind, Events: &events, Enabled: &f.Enabled}
		switch {
		case clearSecret:
			empty := ""
			p.Secret = &empty
		case secret != "":
			p.Secret = &secret
		}
		out, err := s.UpdateWebhook(r.Context(), h.ID, p)
		if fields := fieldsOf(err); fields != nil {
			return s.renderHook(w, r, errs.Status(errs.CodeOf(err)), &h, f, fields)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(out.ID, 10), "已保存")
	})
	u.Page("POST /admin/webhooks/{id}/test", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		h, err := hookOf(r)
		if err != nil {
			return err
		}
		d, err := s.SendTest(r.Context(), h.ID)
		if err != nil {
			return err
		}
		to := "/admin/webhooks/" + strconv.FormatInt(h.ID, 10)
		if d.Status == DeliveryDelivered {
			return u.Redirect(w, r, to, "测试消息已送达（HTTP "+strconv.Itoa(d.LastStatus)+"）")
		}
		u.SetFlash(w, "error", "测试消息发送失败："+d.LastError)
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	})
	u.Page("POST /admin/webhooks/{id}/delete", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		h, err := hookOf(r)
		if err != nil {
			return err
		}
		if err := s.DeleteWebhook(r.Context(), h.ID); err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/webhooks", "已删除 Webhook“"+h.Name+"”")
	})
	u.Page("POST /admin/webhooks/{id}/deliveries/{delivery_id}/retry", permAdmin, func(w http.ResponseWriter, r *http.Request) error {
		h, err := hookOf(r)
		if err != nil {
			return err
		}
		did, err := web.PathID(r, "delivery_id")
		if err != nil {
			return err
		}
		to := "/admin/webhooks/" + strconv.FormatInt(h.ID, 10)
		if _, err := s.Retry(r.Context(), h.ID, did); err != nil {
			if errs.Is(err, errs.CodeConflict) {
				u.SetFlash(w, "error", errs.As(err).Message)
				http.Redirect(w, r, to, http.StatusSeeOther)
				return nil
			}
			return err
		}
		return u.Redirect(w, r, to, "已重新排队发送")
	})
}

func (s *Service) webhookAPI() {
	u := s.UI
	u.API("GET /api/v1/webhooks", permAdmin, web.Doc{Summary: "Webhook 列表（令牌与密钥已隐藏）", Response: Webhook{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			hooks, err := s.Webhooks(r.Context(), s.DB)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(hooks, int64(len(hooks))))
		})
	u.API("POST /api/v1/webhooks", permAdmin, web.Doc{Summary: "新建 Webhook", Body: WebhookInput{}, Response: Webhook{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			var in WebhookInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			h, err := s.CreateWebhook(r.Context(), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, h)
		})
	u.API("GET /api/v1/webhooks/{id}", permAdmin, web.Doc{Summary: "Webhook 详情", Response: Webhook{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		h, err := s.GetWebhook(r.Context(), s.DB, id)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, h)
	})
	u.API("PATCH /api/v1/webhooks/{id}", permAdmin, web.Doc{Summary: "修改 Webhook", Body: WebhookPatch{}, Response: Webhook{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var p WebhookPatch
			if err := web.DecodeJSON(r, &p); err != nil {
				return err
			}
			h, err := s.UpdateWebhook(r.Context(), id, p)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, h)
		})
	u.API("DELETE /api/v1/webhooks/{id}", permAdmin, web.Doc{Summary: "删除 Webhook 及其发送记录", Status: http.StatusNoContent},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			if err := s.DeleteWebhook(r.Context(), id); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	u.API("POST /api/v1/webhooks/{id}/test", permAdmin, web.Doc{Summary: "发送测试消息（立即发送一次，返回发送结果）", Response: Delivery{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			d, err := s.SendTest(r.Context(), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, d)
		})
	u.API("GET /api/v1/webhooks/{id}/deliveries", permAdmin, web.Doc{Summary: "Webhook 发送记录（新的在前）", Response: Delivery{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			if _, err := s.GetWebhook(r.Context(), s.DB, id); err != nil {
				return err
			}
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			ds, total, err := s.Deliveries(r.Context(), s.DB, id, l.Offset(), l.PageSize)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(ds, total))
		})
	u.API("POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", permAdmin, web.Doc{Summary: "重新发送失败的消息", Response: Delivery{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			did, err := web.PathID(r, "delivery_id")
			if err != nil {
				return err
			}
			d, err := s.Retry(r.Context(), id, did)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, d)
		})
}
