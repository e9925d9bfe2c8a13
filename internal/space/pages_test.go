package space_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

func wantPage(t *testing.T, r apptest.Response, status int, texts ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("status %d, want %d: %s", r.StatusCode, status, snippet(r.Body))
		return
	}
	for _, s := range []string{"[[", "<no value>", "%!"} {
		if strings.Contains(r.Body, s) {
			i := strings.Index(r.Body, s)
			t.Errorf("page contains %q: …%s…", s, r.Body[max(0, i-80):min(len(r.Body), i+80)])
		}
	}
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func snippet(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600]
	}
	return s
}

// TestPages renders every page of the module as the bureau, a unit administrator and the supervisor, walks the
// main forms, and checks that every template rendered.
func TestPages(t *testing.T) {
	env := newEnv(t)
	space := env.Browser("space", demoPassword)
	edu := env.Browser("edu", demoPassword)
	sup := env.Browser("supervisor", demoPassword)
	eduUnit := orgID(t, env, "松岭县教育局")
	building := id64(t, env, "SELECT id FROM buildings WHERE org_id = ?", eduUnit)
	room := id64(t, env, "SELECT MIN(r.id) FROM space_rooms r JOIN space_occupants x ON x.room_id = r.id WHERE r.org_id = ?", eduUnit)
	property := id64(t, env, "SELECT MIN(id) FROM space_properties")
	agreement := id64(t, env, "SELECT MIN(id) FROM space_agreements WHERE org_id = ?", eduUnit)
	post := id64(t, env, "SELECT MIN(id) FROM space_concurrent_posts")
	task := id64(t, env, "SELECT MIN(id) FROM space_rectifications")
	repair := id64(t, env, "SELECT MIN(id) FROM space_repairs")
	lease := id64(t, env, "SELECT MIN(id) FROM space_leases")
	b := itoa(building)

	for _, c := range []struct {
		path  string
		texts []string
	}{
		{"/space/overview", []string{"办公用房概览", "data-chart", "人均办公室面积"}},
		{"/space/overview?org_id=" + itoa(eduUnit), []string{"松岭县教育局"}},
		{"/space/standards", []string{"发改投资〔2014〕2674号", "正科级", "乡级机关"}},
		{"/space/violations", []string{"超标准使用面积", "下达整改"}},
		{"/space/rectifications", []string{"整改任务", "逾期"}},
		{"/space/rectifications/" + itoa(task), []string{"整改要求", "附件"}},
		{"/space/rectifications/" + itoa(task) + "/notice", []string{"办公用房整改通知书", "整改要求", "GovOps 版式", "data-print", "/static/print.js", "签收人"}},
		{"/space/buildings", []string{"楼龄", "最近大修"}},
		{"/space/buildings?tab=properties", []string{"不动产权证号"}},
		{"/space/buildings/new", nil},
		{"/space/buildings/" + b, []string{"楼层", "平面图"}},
		{"/space/buildings/" + b + "?tab=rooms", nil},
		{"/space/buildings/" + b + "?tab=repairs", nil},
		{"/space/buildings/" + b + "?tab=history", nil},
		{"/space/buildings/" + b + "/edit", nil},
		{"/space/buildings/" + b + "/floors/1", []string{"<svg", "走廊", "空置办公室"}},
		{"/space/properties/new", nil},
		{"/space/properties/" + itoa(property), []string{"示不动产权第", "附件", `action="/attachments"`}},
		{"/space/properties/" + itoa(property) + "/edit", nil},
		{"/space/rooms", []string{"房间台账"}},
		{"/space/rooms?vacant=true", nil},
		{"/space/rooms/new?building_id=" + b, nil},
		{"/space/rooms/" + itoa(room), []string{"使用人", "安排使用"}},
		{"/space/rooms/" + itoa(room) + "?tab=log", nil},
		{"/space/rooms/" + itoa(room) + "?tab=history", nil},
		{"/space/rooms/" + itoa(room) + "/edit", nil},
		{"/space/agreements", []string{"核定面积"}},
		{"/space/leases", []string{"示范便民超市"}},
		{"/space/leases?tab=cleanup", []string{"到期未收回", "租金未上缴"}},
		{"/space/leases/new", nil},
		{"/space/leases/" + itoa(lease), []string{"示范便民超市"}},
		{"/space/mix", []string{"公式核定面积"}},
		{"/space/agreements?tab=posts", []string{"兼任副主任"}},
		{"/space/agreements/new", nil},
		{"/space/agreements/" + itoa(agreement), nil},
		{"/space/agreements/" + itoa(agreement) + "/edit", nil},
		{"/space/posts/new", nil},
		{"/space/posts/" + itoa(post) + "/edit", nil},
		{"/space/allocations", nil},
		{"/space/allocations?tab=vacates", nil},
		{"/space/allocations/new", nil},
		{"/space/vacates/new?room_id=" + itoa(room), nil},
		{"/space/repairs", []string{"外立面及屋面防水大修"}},
		{"/space/repairs?tab=disposals", nil},
		{"/space/repairs/new?building_id=" + b, nil},
		{"/space/repairs/" + itoa(repair), nil},
		{"/space/disposals/new", nil},
		{"/space/stocktakes", nil},
		{"/space/stocktakes/new", nil},
		{"/space/ledger", nil},
		{"/space/people?org_id=" + itoa(orgID(t, env, "松岭县财政局")) + "&unassigned=true", []string{"待安排办公室"}},
		{"/space/people?org_id=" + itoa(eduUnit), []string{"所占房间"}},
		{"/space/ledger?org_id=" + itoa(eduUnit), []string{"总台账", "内部公示", "备案"}},
	} {
		t.Run(c.path, func(t *testing.T) { wantPage(t, space.Get(c.path), 200, c.texts...) })
	}

	// Forms: a building, a room, an occupant; a stocktake; a rectification report.
	r := space.Form("POST", "/space/buildings", url.Values{"name": {"表单楼"}, "org_id": {itoa(eduUnit)}, "built_year": {"2001"}})
	if r.StatusCode != 303 {
		t.Fatalf("create building by form: %d %s", r.StatusCode, snippet(r.Body))
	}
	nb := id64(t, env, "SELECT id FROM buildings WHERE name = '表单楼'")
	wantPage(t, space.Form("POST", "/space/rooms", url.Values{"building_id": {itoa(nb)}, "floor": {"1"}, "number": {""}, "use_type": {"office"}, "usable_area_m2": {"x"}, "org_id": {itoa(eduUnit)}}), 422, "请填写房间号", "应为数字")
	if r := space.Form("POST", "/space/rooms", url.Values{"building_id": {itoa(nb)}, "floor": {"1"}, "number": {"101"}, "use_type": {"office"}, "usable_area_m2": {"40"},
		"org_id": {itoa(eduUnit)}, "status": {"in_use"}}); r.StatusCode != 303 {
		t.Fatalf("create room by form: %d %s", r.StatusCode, snippet(r.Body))
	}
	nr := id64(t, env, "SELECT id FROM space_rooms WHERE building_id = ? AND number = '101'", nb)
	staff := id64(t, env, "SELECT MIN(id) FROM people WHERE org_id = ? AND rank = 'staff' AND status = 'active'", eduUnit)
	wantPage(t, space.Form("POST", "/space/rooms/"+itoa(nr)+"/occupants", url.Values{}), 422, "请选择使用人")
	// The person already has an office: the page asks for a confirmation, offering to move in and release it.
	wantPage(t, space.Form("POST", "/space/rooms/"+itoa(nr)+"/occupants", url.Values{"person_id": {itoa(staff)}}), 409, "已有办公室", "迁入并收回原办公室", "确认理由")
	wantPage(t, space.Form("POST", "/space/rooms/"+itoa(nr)+"/occupants", url.Values{"person_id": {itoa(staff)}, "confirm": {"1"}}), 422, "请填写确认理由")
	if r := space.Form("POST", "/space/rooms/"+itoa(nr)+"/occupants", url.Values{"person_id": {itoa(staff)}, "confirm": {"1"}, "reason": {"表单测试"}}); r.StatusCode != 303 {
		t.Fatalf("assign by form: %d %s", r.StatusCode, snippet(r.Body))
	}
	wantPage(t, space.Get("/space/rooms/"+itoa(nr)), 200, "超标准使用面积", "一人多处办公室")
	wantPage(t, space.Get("/space/buildings/"+itoa(nb)+"/floors/1"), 200, `fill="#f9dcd8"`)
	if r := space.Form("POST", "/space/stocktakes", url.Values{"name": {"测试清查"}, "org_id": {itoa(eduUnit)}, "due_on": {"2026-12-31"}}); r.StatusCode != 303 {
		t.Fatalf("stocktake by form: %d %s", r.StatusCode, snippet(r.Body))
	}
	st := id64(t, env, "SELECT id FROM space_stocktakes WHERE name = '测试清查'")
	for _, tab := range []string{"", "?tab=problems", "?tab=units", "?tab=history"} {
		wantPage(t, edu.Get("/space/stocktakes/"+itoa(st)+tab), 200)
	}
	var alloc struct{ ID int64 }
	if st := env.API("edu", demoPassword).JSON("POST", "/api/v1/space/allocations", map[string]any{"org_id": eduUnit, "title": "档案用房", "reason": "档案增加"}, &alloc); st != 201 {
		t.Fatalf("allocation: %d", st)
	}
	wantPage(t, edu.Get("/space/allocations/"+itoa(alloc.ID)), 200, "档案用房", "审批")
	wantPage(t, space.Form("POST", "/space/rectifications/"+itoa(task)+"/submit", url.Values{"report": {""}}), 422, "请填写整改情况")

	// The unit administrator: own unit only; no bureau actions.
	wantPage(t, edu.Get("/space/violations"), 200, "擅自改变使用功能")
	if strings.Contains(edu.Get("/space/violations").Body, "立即全面检查") {
		t.Errorf("a unit administrator is offered the full scan")
	}
	wantPage(t, edu.Get("/space/buildings/"+itoa(id64(t, env, "SELECT MIN(id) FROM buildings"))), 404)
	wantPage(t, edu.Get("/space/properties/new"), 403)
	// The supervisor reads everything and changes nothing.
	wantPage(t, sup.Get("/space/overview"), 200)
	if r := sup.Get("/space?org_id=1"); r.StatusCode != 302 || r.Header.Get("Location") != "/space/overview?org_id=1" {
		t.Errorf("/space redirects %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	wantPage(t, sup.Get("/space/rooms/"+itoa(room)), 200)
	if strings.Contains(sup.Get("/space/rooms/"+itoa(room)).Body, "安排使用") {
		t.Errorf("the supervisor is offered to assign occupants")
	}
	if r := sup.Form("POST", "/space/buildings", url.Values{"name": {"x"}, "org_id": {itoa(eduUnit)}}); r.StatusCode != 403 {
		t.Errorf("supervisor creates a building: %d", r.StatusCode)
	}
	// Excel: every list exports.
	for _, p := range []string{"/space/violations?format=xlsx", "/space/rooms?format=xlsx", "/space/buildings?format=xlsx", "/space/buildings?tab=properties&format=xlsx",
		"/space/rectifications?format=xlsx", "/space/agreements?format=xlsx", "/space/agreements?tab=posts&format=xlsx", "/space/allocations?format=xlsx",
		"/space/allocations?tab=vacates&format=xlsx", "/space/repairs?format=xlsx", "/space/repairs?tab=disposals&format=xlsx", "/space/stocktakes?format=xlsx",
		"/space/standards?format=xlsx", "/space/stocktakes/" + itoa(st) + "?format=xlsx", "/space/stocktakes/" + itoa(st) + "?tab=units&format=xlsx"} {
		if r := space.Get(p); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("export %s: %d %s", p, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	wantPage(t, space.Get("/space/standards?region_code=abc"), 422)
	wantPage(t, space.Get("/space/buildings/999999"), 404)
	wantPage(t, space.Get("/space/buildings/"+b+"/floors/77"), 404)

	// Least privilege: the energy manager reads the buildings (areas, floors) the meters stand on, not the people in
	// the rooms, the compliance findings, the floor plans or the ownership papers; the menu offers only 房产楼栋.
	energy := env.Browser("energy", demoPassword)
	wantPage(t, energy.Get("/space/buildings"), 200, "楼龄")
	r = energy.Get("/space/buildings/" + b)
	wantPage(t, r, 200, "楼层")
	for _, hidden := range []string{"?tab=rooms", "/floors/1", "?tab=properties", "/space/violations"} {
		if strings.Contains(r.Body, hidden) {
			t.Errorf("the energy manager's building page links to %s", hidden)
		}
	}
	for _, p := range []string{"/space/buildings/" + b + "?tab=rooms", "/space/buildings/" + b + "?tab=repairs", "/space/buildings/" + b + "?tab=history",
		"/space/buildings?tab=properties", "/space/buildings/" + b + "/floors/1", "/space/violations", "/space/overview", "/space/rooms/" + itoa(room)} {
		wantPage(t, energy.Get(p), 403)
	}
	if home := energy.Get("/"); strings.Contains(home.Body, `href="/space/violations"`) || !strings.Contains(home.Body, `href="/space/buildings"`) {
		t.Error("the energy manager's menu should offer 房产楼栋 and not 合规检查")
	}

	// The help topics (docs/help.md), each linked from the pages it explains.
	for _, h := range []string{"register", "compliance", "rectification", "allocation"} {
		wantPage(t, space.Get("/help/space/"+h), 200, "页面用途", "所依据的规定", "数字从哪里来")
	}
	wantPage(t, space.Get("/space/rooms"), 200, `href="/help/space/register"`, "print=1", "data-print-total", "data-sum")

	// English.
	u, _ := url.Parse(env.Server.URL)
	space.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	wantPage(t, space.Get("/space/overview"), 200, "Office space overview")
	wantPage(t, space.Get("/space/violations"), 200, "Order rectification")

	ex := env.App.UI.Executed()
	for _, p := range env.App.UI.Pages() {
		if strings.HasPrefix(p, "space/") && ex[p] == 0 {
			t.Errorf("template %s never rendered", p)
		}
	}
}
