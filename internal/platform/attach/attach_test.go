package attach_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

var pdf = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// The test owner type: a unit (org) owns attachments. Whoever holds org:read and sees the unit in their data scope
// sees its files; editing needs org:write (checked by the kit) and a unit that is not closed (checked here).
func canSeeOrg(ctx context.Context, q db.Q, id int64) error {
	return auth.ScopeFrom(ctx).CheckOrg(ctx, q, org.Tree{}, id, "object_id")
}

func canEditOrg(ctx context.Context, q db.Q, id int64) error {
	var status string
	if err := q.QueryRow(ctx, "SELECT status FROM orgs WHERE id = ?", id).Scan(&status); err != nil {
		return err
	}
	if status != "active" {
		return errs.Conflict("单位已停用，附件不能再修改")
	}
	return nil
}

type fixture struct {
	env                 *apptest.Env
	store               *attach.Store
	qingshan, lvshui    int64 // two city bureaus; 松岭县教育局 sits under 青山市
	qingshanC, eduC, aC *apptest.Client
}

const password = "Kx7#Pass2026"

// setup starts the app with three units and users of different scopes:
// qingshan (unit administrator, 青山市 and below), edu (unit administrator of 松岭县教育局 only), reader
// (supervisor, 青山市 and below: may read, may not write).
func setup(t *testing.T) *fixture {
	t.Helper()
	env := apptest.New(t)
	f := &fixture{env: env, store: env.App.Attach}
	f.store.Register(attach.Owner{Type: "test_org", SeePerm: "org:read", EditPerm: "org:write", CanSee: canSeeOrg, CanEdit: canEditOrg})
	f.store.Register(attach.Owner{Type: "test_small", SeePerm: "org:read", EditPerm: "org:write", CanSee: canSeeOrg, CanEdit: canEditOrg, MaxBytes: 1024, Exts: []string{".pdf"}})
	ctx := context.Background()
	mk := func(name string, parent int64) int64 {
		o, err := env.App.Org.CreateOrg(ctx, auth.Everything(), org.OrgInput{Name: name, ParentID: parent, Kind: "organ", AdminLevel: "municipal", Category: "organ"})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	f.qingshan = mk("青山市机关事务管理局", 0)
	edu := mk("松岭县教育局", f.qingshan)
	f.lvshui = mk("绿水市机关事务管理局", 0)
	for _, u := range []auth.UserInput{
		{Username: "qingshan", Roles: []string{"unit_admin"}, DataScope: auth.ScopeSubtree, ScopeOrgID: f.qingshan},
		{Username: "edu", Roles: []string{"unit_admin"}, DataScope: auth.ScopeUnit, ScopeOrgID: edu},
		{Username: "reader", Roles: []string{"supervisor"}, DataScope: auth.ScopeSubtree, ScopeOrgID: f.qingshan},
	} {
		u.Password = password
		if _, err := env.App.Auth.CreateUser(ctx, nil, auth.Everything(), u); err != nil {
			t.Fatalf("user %s: %v", u.Username, err)
		}
	}
	f.qingshanC, f.eduC, f.aC = env.API("qingshan", password), env.API("edu", password), env.Admin()
	return f
}

func upload(t *testing.T, c *apptest.Client, objectType string, objectID int64, name string, data []byte) (apptest.Response, attach.Attachment) {
	t.Helper()
	r := c.Upload("/api/v1/attachments", name, data, map[string]string{"object_type": objectType, "object_id": strconv.FormatInt(objectID, 10)})
	var a attach.Attachment
	if r.StatusCode == 201 {
		a.ID = apptest.ID(r.Body)
		if err := jsonUnmarshal(r.Body, &a); err != nil {
			t.Fatal(err)
		}
	}
	return r, a
}

func countAudit(t *testing.T, env *apptest.Env, action, actor string, success bool) int64 {
	t.Helper()
	n, err := db.Count(context.Background(), env.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = ? AND success = ?", action, actor, success)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAttachmentsFollowTheOwnersScope(t *testing.T) {
	f := setup(t)
	env := f.env
	r, a := upload(t, f.qingshanC, "test_org", f.qingshan, "会议纪要（2026年第3次）.pdf", pdf)
	if r.StatusCode != 201 || a.Filename != "会议纪要（2026年第3次）.pdf" || a.ContentType != "application/pdf" || a.SizeBytes != int64(len(pdf)) ||
		a.Uploader != "qingshan" || a.ObjectID != f.qingshan || a.URL != "/attachments/"+strconv.FormatInt(a.ID, 10) || len(a.SHA256) != 64 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	if countAudit(t, env, "attach.upload", "qingshan", true) != 1 {
		t.Fatal("upload not audited")
	}

	// The admin (scope: all) downloads it, with the original name and safe headers.
	d := f.aC.Get(a.URL)
	if d.StatusCode != 200 || !bytes.Equal([]byte(d.Body), pdf) || d.Header.Get("Content-Type") != "application/pdf" ||
		d.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(d.Header.Get("Content-Security-Policy"), "sandbox") ||
		d.Header.Get("Content-Disposition") != `attachment; filename="_____2026__3__.pdf"; filename*=UTF-8''`+
			`%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81%EF%BC%882026%E5%B9%B4%E7%AC%AC3%E6%AC%A1%EF%BC%89.pdf` {
		t.Fatalf("download: %d %v", d.StatusCode, d.Header)
	}
	if countAudit(t, env, "attach.download", "admin", true) != 1 {
		t.Fatal("download not audited")
	}
	if d := f.aC.Get("/api/v1/attachments/" + strconv.FormatInt(a.ID, 10) + "/content"); d.StatusCode != 200 || d.Body != string(pdf) {
		t.Fatalf("API download: %d", d.StatusCode)
	}

	// A user of another unit (松岭县教育局, scope: own unit) cannot tell it exists.
	id := strconv.FormatInt(a.ID, 10)
	for _, c := range []struct{ method, path string }{{"GET", a.URL}, {"GET", "/api/v1/attachments/" + id}, {"GET", "/api/v1/attachments/" + id + "/content"},
		{"GET", "/api/v1/attachments?object_type=test_org&object_id=" + strconv.FormatInt(f.qingshan, 10)}, {"DELETE", "/api/v1/attachments/" + id}} {
		if r := f.eduC.Do(c.method, c.path, "", nil); r.StatusCode != 404 {
			t.Errorf("edu %s %s: %d, want 404", c.method, c.path, r.StatusCode)
		}
	}
	if r, _ := upload(t, f.eduC, "test_org", f.qingshan, "x.pdf", pdf); r.StatusCode != 404 {
		t.Errorf("edu uploads to another unit: %d", r.StatusCode)
	}
	if countAudit(t, env, "attach.download", "edu", false) != 2 {
		t.Error("refused downloads are audited as failures")
	}
	// 青山市's administrator cannot reach 绿水市 either.
	if r, _ := upload(t, f.qingshanC, "test_org", f.lvshui, "x.pdf", pdf); r.StatusCode != 404 {
		t.Errorf("qingshan uploads to lvshui: %d", r.StatusCode)
	}

	var list struct {
		Items []attach.Attachment `json:"items"`
		Total int64               `json:"total"`
	}
	if st := f.qingshanC.JSON("GET", "/api/v1/attachments?object_type=test_org&object_id="+strconv.FormatInt(f.qingshan, 10), nil, &list); st != 200 || list.Total != 1 {
		t.Fatalf("list: %d %+v", st, list)
	}

	// A supervisor of 青山市 may read the file but not delete it.
	reader := f.env.API("reader", password)
	if r := reader.Get(a.URL); r.StatusCode != 200 {
		t.Fatalf("reader download: %d", r.StatusCode)
	}
	if r := reader.Do("DELETE", "/api/v1/attachments/"+id, "", nil); r.StatusCode != 403 {
		t.Fatalf("reader delete: %d, want 403", r.StatusCode)
	}

	// Scope alone never authorises: a user whose scope is everything but who lacks org:read (an employee with scope
	// all) gets 403 for every file of the type and cannot add one (403); the permission is checked before the scope,
	// as on every route.
	ctx := context.Background()
	if _, err := env.App.Auth.CreateUser(ctx, nil, auth.Everything(), auth.UserInput{Username: "wide", Password: password,
		Roles: []string{"employee"}, DataScope: auth.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	wide := env.API("wide", password)
	for _, c := range []struct{ method, path string }{{"GET", a.URL}, {"GET", "/api/v1/attachments/" + id}, {"GET", "/api/v1/attachments/" + id + "/content"},
		{"GET", "/api/v1/attachments?object_type=test_org&object_id=" + strconv.FormatInt(f.qingshan, 10)}, {"DELETE", "/api/v1/attachments/" + id}} {
		if r := wide.Do(c.method, c.path, "", nil); r.StatusCode != 403 {
			t.Errorf("wide %s %s: %d, want 403", c.method, c.path, r.StatusCode)
		}
	}
	if r, _ := upload(t, wide, "test_org", f.qingshan, "x.pdf", pdf); r.StatusCode != 403 {
		t.Errorf("a user without org:read uploads: %d, want 403", r.StatusCode)
	}

	// The same content again shares one file; deleting one attachment keeps the file for the other.
	r, b := upload(t, f.aC, "test_org", f.qingshan, "副本.pdf", pdf)
	if r.StatusCode != 201 || b.SHA256 != a.SHA256 {
		t.Fatalf("second upload: %d %s", r.StatusCode, r.Body)
	}
	if r := f.qingshanC.Do("DELETE", "/api/v1/attachments/"+id, "", nil); r.StatusCode != 204 {
		t.Fatalf("delete: %d %s", r.StatusCode, r.Body)
	}
	if f.aC.Get(a.URL).StatusCode != 404 || countAudit(t, env, "attach.delete", "qingshan", true) != 1 {
		t.Fatal("deleted attachment still served, or deletion not audited")
	}
	f.store.SweepAfter = 0
	file := filepath.Join(f.store.Dir, a.SHA256[:2], a.SHA256[2:])
	if n, err := f.store.Sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep while referenced: %d %v", n, err)
	}
	if err := env.App.DB.Tx(context.Background(), func(q db.Q) error { return f.store.Delete(context.Background(), q, b.ID) }); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep after last reference: %d %v", n, err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatal("unreferenced file survived the sweep")
	}
	if fi, err := os.Stat(f.store.Dir); err != nil || fi.Mode().Perm() != 0o750 {
		t.Fatalf("attachment dir: %v %v", fi, err)
	}
}

func TestUploadRefusesBadInput(t *testing.T) {
	f := setup(t)
	a := f.aC
	oid := f.qingshan
	var e apptest.ErrorBody
	check := func(what string, r apptest.Response, status int, field string) {
		t.Helper()
		e = apptest.ErrorBody{}
		_ = jsonUnmarshal(r.Body, &e)
		if r.StatusCode != status || (field != "" && e.Error.Fields[field] == "") {
			t.Errorf("%s: %d %s, want %d with field %q", what, r.StatusCode, r.Body, status, field)
		}
	}
	r, _ := upload(t, a, "", oid, "a.pdf", pdf)
	check("no object type", r, 422, "object_type")
	r, _ = upload(t, a, "nope", oid, "a.pdf", pdf)
	check("unknown object type", r, 422, "object_type")
	r = a.Upload("/api/v1/attachments", "a.pdf", pdf, map[string]string{"object_type": "test_org", "object_id": "abc"})
	check("bad object id", r, 422, "object_id")
	r, _ = upload(t, a, "test_org", oid, "页面.html", []byte("<html><script>alert(1)</script></html>"))
	check("html", r, 422, "file")
	r, _ = upload(t, a, "test_org", oid, "发票.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00 this is a program"))
	check("exe named pdf", r, 422, "file")
	r, _ = upload(t, a, "test_small", oid, "大.pdf", append(pdf, bytes.Repeat([]byte(" "), 2000)...))
	check("over the owner's limit", r, 413, "file")
	r, _ = upload(t, a, "test_small", oid, "表.xlsx", pdf)
	check("extension outside the owner's list", r, 422, "file")
	r = a.Do("POST", "/api/v1/attachments", "application/json", []byte(`{"object_type":"test_org"}`))
	check("not multipart", r, 400, "")
	// A multipart form without the file part.
	r = a.Upload("/api/v1/attachments", "", nil, map[string]string{"object_type": "test_org", "object_id": strconv.FormatInt(oid, 10)})
	check("no file", r, 422, "file")
	if n, _ := db.Count(context.Background(), f.env.App.DB, "SELECT COUNT(*) FROM attachments"); n != 0 {
		t.Fatalf("%d attachments stored from bad input", n)
	}
	// A supervisor of the unit sees but may not change its attachments.
	if r := f.env.API("reader", password).Upload("/api/v1/attachments", "a.pdf", pdf,
		map[string]string{"object_type": "test_org", "object_id": strconv.FormatInt(oid, 10)}); r.StatusCode != 403 {
		t.Errorf("reader upload: %d, want 403", r.StatusCode)
	}
}

type panelPage struct {
	web.Globals
	Attachments attach.Panel
}

func TestBrowserFormsAndDocumentedSnippet(t *testing.T) {
	f := setup(t)
	// A module's page as the package documentation says: the web kit's "attachments" partial.
	snippet, err := os.ReadFile("testdata/panel.html")
	if err != nil {
		t.Fatal(err)
	}
	u := f.env.App.UI
	u.AddTemplates("attachtest", fstest.MapFS{"panel.html": {Data: snippet}})
	u.Page("GET /attachtest/{id}", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		p, err := f.store.Panel(r, "test_org", id)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "attachtest/panel.html", &panelPage{Globals: u.G(r, "|单位附件"), Attachments: p})
	})
	page := "/attachtest/" + strconv.FormatInt(f.qingshan, 10)
	b := f.env.Browser("qingshan", password)
	p := b.Get(page)
	if p.StatusCode != 200 || !strings.Contains(p.Body, "暂无附件") || !strings.Contains(p.Body, `action="/attachments"`) || !strings.Contains(p.Body, "20 MB") {
		t.Fatalf("empty panel: %d\n%s", p.StatusCode, p.Body)
	}
	r := b.Upload("/attachments", "通知.pdf", pdf, map[string]string{"object_type": "test_org", "object_id": strconv.FormatInt(f.qingshan, 10), "next": page})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page {
		t.Fatalf("form upload: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	p = b.Get(page)
	if !strings.Contains(p.Body, "通知.pdf") || !strings.Contains(p.Body, "已上传附件“通知.pdf”") || !strings.Contains(p.Body, "/delete") {
		t.Fatalf("panel after upload:\n%s", p.Body)
	}
	// A refused file comes back as a message on the same page.
	r = b.Upload("/attachments", "x.exe", []byte("MZ"), map[string]string{"object_type": "test_org", "object_id": strconv.FormatInt(f.qingshan, 10), "next": page})
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(b.Get(page).Body, "不支持的文件类型") {
		t.Fatalf("refused form upload: %d", r.StatusCode)
	}
	var id int64
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT id FROM attachments WHERE filename = '通知.pdf'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	// next must stay on this site.
	r = b.Form("POST", "/attachments/"+strconv.FormatInt(id, 10)+"/delete", url.Values{"next": {"//evil.example/"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("form delete: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if !strings.Contains(b.Get(page).Body, "暂无附件") {
		t.Fatal("deleted attachment still listed")
	}
	// Another unit's user gets 404 for the page (the owner's check decides).
	if p := f.env.Browser("edu", password).Get(page); p.StatusCode != 404 {
		t.Fatalf("edu opens qingshan's panel: %d", p.StatusCode)
	}
	// English: every snippet key is translated.
	if r := b.Form("POST", "/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("switch language")
	}
	if p := b.Get(page); strings.Contains(p.Body, "[[") || !strings.Contains(p.Body, "At most 20 MB per file") || !strings.Contains(p.Body, "Attachments") {
		t.Fatalf("English panel:\n%s", p.Body)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
