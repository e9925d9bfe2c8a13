package browsertest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	_ "github.com/govops/govops/internal/energy/emc" // the pages under test
)

// TestEnergyContractsAndPV: the energy manager registers a rooftop PV system on a building (with a generation
// meter whose readings are posted as a collector would) and sees its yield; opens a demo performance contract's
// M&V report with its verdict and chart; and exports the settlement schedule. On the way it corrects a month of the
// demo province's degree days (an invalid value first). It needs internal/app to wire the
// emc and pv packages.
func TestEnergyContractsAndPV(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "energy-emc-pv")
	b.SignIn("energy", DemoPassword)

	// A generation meter on 示范省统计局办公楼 through the meter form.
	b.Visit("/energy/pv/systems/new")
	bid := Eval[string](b, `Array.from(document.querySelectorAll("#f-building_id option")).find(o => o.textContent.includes("示范省统计局办公楼")).value`)
	b.Visit("/energy/meters/new?building_id=" + bid)
	b.Fill(`input[name=name]`, "统计局光伏发电量表")
	b.Fill(`select[name=energy_type]`, "pv_generation")
	if st := b.ClickAndWait(`form.form button[type=submit]`); st != 200 {
		t.Fatalf("create meter: %d %s", st, short(b.Text("main")))
	}
	meterID := strings.TrimPrefix(b.Path(), "/energy/meters/")
	// Readings for 2026: a counter on the first of each month, 1 200 kWh a month.
	var rs []string
	for m := 1; m <= 11; m++ {
		rs = append(rs, fmt.Sprintf(`{"meter_id":%s,"ts":"2026-%02d-01T00:00:00+08:00","value":%d}`, meterID, m, 1200*(m-1)))
	}
	st := Eval[int](b, `(async () => { const r = await fetch("/api/v1/energy/readings", {method: "POST", credentials: "same-origin",
		headers: {"Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content},
		body: JSON.stringify([`+strings.Join(rs, ",")+`])}); await r.text(); return r.status; })()`)
	if st != 200 && st != 201 {
		t.Fatalf("post readings: %d", st)
	}

	// Register the PV system: a bad capacity first, then a good one.
	b.Visit("/energy/pv/systems/new")
	b.Fill(`#f-building_id`, bid)
	b.Fill(`#f-name`, "统计局屋顶光伏")
	b.Fill(`#f-capacity_kwp`, "-10")
	b.Fill(`#f-commissioning_date`, "2025-12-01")
	b.Fill(`#f-generation_meter_id`, meterID)
	if st := b.ClickAndWait(`#pv-form button[type=submit]`, "/energy/pv/systems"); st != 422 {
		t.Errorf("negative capacity: status %d, want 422", st)
	}
	b.ExpectText("main", "装机容量应大于 0")
	b.Fill(`#f-capacity_kwp`, "12")
	if st := b.ClickAndWait(`#pv-form button[type=submit]`); st != 200 {
		t.Fatalf("register: %d %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已登记光伏系统")
	b.Visit(b.Path() + "?year=2026")
	// 12 000 kWh from January to October on 12 kWp: 1 000 kWh/kWp.
	b.ExpectText("#pv-yield", "1,000")
	b.Snap("pv-system")
	b.Visit("/energy/pv?year=2026")
	b.WaitFor("the generation chart", `document.querySelectorAll(".chart canvas").length >= 1`)
	b.ExpectText("#pv-systems", "统计局屋顶光伏")
	b.Phone()
	b.Open("/energy/pv?year=2026")
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the PV overview is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()

	// Degree days of the demo province: an invalid cell is refused inline, a valid one is saved and kept in history.
	b.Visit("/energy/degree-days?region_code=990000&year=2025")
	b.ExpectText("#dd-bases", "18")
	b.Fill(`#dd-form input[name="hdd-03"]`, "-5")
	if st := b.ClickAndWait(`#dd-form button[type=submit]`, "/energy/degree-days"); st != 422 {
		t.Errorf("negative degree days: status %d, want 422", st)
	}
	b.ExpectText("#dd-form td.has-error", "3 月采暖度日数：度日数不能为负数")
	if v := Eval[string](b, `document.querySelector('#dd-form input[name="hdd-03"]').value`); v != "-5" {
		t.Errorf("the typed value is lost: %q", v)
	}
	b.Fill(`#dd-form input[name="hdd-03"]`, "321.5")
	if st := b.ClickAndWait(`#dd-form button[type=submit]`); st != 200 {
		t.Fatalf("save degree days: %d %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已保存")
	if v := Eval[string](b, `document.querySelector('#dd-form input[name="hdd-03"]').value`); v != "321.5" {
		t.Errorf("March HDD after saving: %q", v)
	}
	b.ExpectText("#dd-history", "2025 年 3 月 HDD")
	b.Phone()
	b.Open("/energy/degree-days?region_code=990000&year=2025")
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the degree day grid is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()

	// A demo contract's M&V report: verdict and chart, then the settlement schedule exported.
	b.Visit("/energy/contracts")
	links := b.Links(`#emc-list a[href^="/energy/contracts/"]`)
	var target string
	for _, l := range links {
		if strings.Contains(Eval[string](b, fmt.Sprintf(`Array.from(document.querySelectorAll('#emc-list a')).find(a => a.getAttribute("href") === %q).textContent`, strings.TrimPrefix(l, s.URL))), "青山市第一人民医院") {
			target = strings.TrimPrefix(l, s.URL)
		}
	}
	if target == "" {
		t.Fatalf("no demo contract of 青山市第一人民医院 in %v", links)
	}
	b.Visit(target)
	b.WaitFor("the baseline chart", `document.querySelectorAll(".chart canvas").length >= 1`)
	b.ExpectText("#emc-verdict", "通过验收")
	b.ExpectText("main", "CV(RMSE)")
	b.Snap("mv-report")
	exp := b.Links("#emc-export-settlements")
	if len(exp) != 1 {
		t.Fatalf("no settlement export link")
	}
	d := b.Fetch(exp[0])
	if d.Status != 200 || !strings.Contains(d.Type, "spreadsheetml") {
		t.Fatalf("settlement export: %d %q", d.Status, d.Type)
	}
	data, err := base64.StdEncoding.DecodeString(d.Base64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not an .xlsx: %v", err)
	}
	defer f.Close()
	rows, _ := f.GetRows("结算计划")
	if len(rows) < 4 || rows[0][0] != "期次" || !strings.Contains(strings.Join(rows[0], "|"), "节能服务公司分享(元)") {
		t.Errorf("settlement sheet: %d rows %q", len(rows), rows)
	}
	b.Phone()
	b.Open(target)
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the M&V report is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
}
