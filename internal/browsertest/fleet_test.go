package browsertest

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestFleetTrip is issue 13's request-to-ledger chain in a browser: the demo employee asks for a car on a
// phone-sized screen; the fleet manager (the approver of the demo's chain) approves it on the trip's page,
// dispatches it from the dispatch board (派车调度) with the first suggested vehicle and driver, starts the trip with
// the vehicle's odometer and completes it with the distance and costs; the vehicle's 单车核算 grows by exactly that
// distance and cost; and the 派车单 prints (print media emulated: title, vehicle, driver and signature lines shown,
// the screen's chrome hidden; a PDF comes out).
func TestFleetTrip(t *testing.T) {
	t.Parallel()
	s := StartServer(t)

	// The employee's request, on a phone.
	e := s.NewTab(t, "fleet-employee")
	e.SignIn("employee", DemoPassword)
	e.Phone()
	e.Open("/fleet/trips/new")
	if o := e.Overflow(); o.Px > 0 {
		t.Errorf("phone: the request form is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	const dest = "浏览器测试镇政府"
	e.Type("#f-purpose", "赴浏览器测试镇检查校舍安全")
	e.Type("#f-origin", "松岭县教育局")
	e.Type("#f-destination", dest)
	e.Fill("#f-passengers", "2")
	start := Eval[string](e, `document.querySelector("#f-start_at").value`)
	if len(start) < 10 {
		t.Fatalf("the form proposes no start time: %q", start)
	}
	if st := e.ClickAndWait(`#trip-form button[type=submit]`); st != 200 || !strings.HasPrefix(e.Path(), "/fleet/trips/") {
		t.Fatalf("submit the request: status %d on %s: %s", st, e.Path(), short(e.Text("main")))
	}
	e.Check()
	e.ExpectText("main .flash", "已提交用车申请")
	e.ExpectText("main .badge", "审批中")
	if o := e.Overflow(); o.Px > 0 {
		t.Errorf("phone: the trip page is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	e.Snap("requested")
	trip := e.Path()
	if n := e.Count("#trip-approve"); n != 0 {
		t.Errorf("the employee is offered the approval of the own request")
	}
	e.Open("/fleet/trips")
	e.ExpectText("main", dest)
	if o := e.Overflow(); o.Px > 0 {
		t.Errorf("phone: the trip list is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}

	// The fleet manager approves on the trip page.
	m := s.NewTab(t, "fleet-manager")
	m.SignIn("fleet", DemoPassword)
	m.Open(trip)
	if st := m.ClickAndWait("#trip-approve"); st != 200 || m.Path() != trip {
		t.Fatalf("approve: status %d on %s: %s", st, m.Path(), short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("main .badge", "待派车")

	// Dispatched from the board with the first suggestion.
	m.Open("/fleet/dispatch")
	form := `form[action="` + trip + `/dispatch"]`
	if m.Count(form) != 1 {
		t.Fatalf("the dispatch board does not offer the request: %s", short(m.Text("main")))
	}
	plate := Eval[string](m, `document.querySelector('`+form+` select[name=vehicle_id]').selectedOptions[0].textContent.split(" ")[0].trim()`)
	driver := Eval[string](m, `document.querySelector('`+form+` select[name=driver_id]').selectedOptions[0].textContent.trim()`)
	if plate == "" || driver == "" {
		t.Fatalf("no suggested vehicle (%q) or driver (%q)", plate, driver)
	}
	if st := m.ClickAndWait(form + ` button[type=submit]`); st != 200 || m.Path() != "/fleet/dispatch" {
		t.Fatalf("dispatch: status %d on %s: %s", st, m.Path(), short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("main .flash", "已派车 "+plate)
	// The board of the trip's week shows it as a block in the vehicle's row.
	m.Open("/fleet/dispatch?week=" + start[:10] + "&q=" + url.QueryEscape(plate))
	if n := m.Count(`#board tbody tr a.board-block[href="` + trip + `"]`); n < 1 {
		t.Errorf("the board of the week of %s does not show the dispatched trip: %s", start[:10], short(m.Text("#board")))
	}
	m.ExpectText("#board tbody th", plate)
	m.Snap("board")
	m.Phone()
	m.Open("/fleet/dispatch")
	if o := m.Overflow(); o.Px > 0 {
		t.Errorf("phone: the dispatch board makes the page %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	m.Desktop()

	// The vehicle's ledger of the trip's year before the trip.
	m.Open(trip)
	m.ExpectText("main", plate)
	m.ExpectText("main", driver)
	vehicle := m.Links(`main a[href^="/fleet/vehicles/"]`)
	if len(vehicle) == 0 {
		t.Fatalf("the trip links no vehicle")
	}
	ledger := vehicle[0] + "?tab=costs&year=" + start[:4]
	m.Open(ledger)
	km0, cost0, n0 := num(t, m.Text("#ledger-distance")), num(t, m.Text("#ledger-cost")), num(t, m.Text("#ledger-trips"))

	// Start with the vehicle's odometer (proposed by the form), complete 86.4 km later with costs.
	m.Open(trip)
	odo := Eval[string](m, `document.querySelector("form[action$='/start'] input[name=odometer_km]").value`)
	out, err := strconv.ParseFloat(odo, 64)
	if err != nil || out <= 0 {
		t.Fatalf("the start form proposes the odometer %q", odo)
	}
	if st := m.ClickAndWait("#trip-start"); st != 200 {
		t.Fatalf("start: status %d: %s", st, short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("main .badge", "出车中")
	m.Fill("form[action$='/complete'] input[name=odometer_km]", strconv.FormatFloat(out+86.4, 'f', 1, 64))
	m.Fill("form[action$='/complete'] input[name=toll_yuan]", "35")
	m.Fill("form[action$='/complete'] input[name=parking_yuan]", "10")
	m.Fill("form[action$='/complete'] input[name=fuel_yuan]", "52.5")
	if st := m.ClickAndWait("#trip-complete"); st != 200 {
		t.Fatalf("complete: status %d: %s", st, short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("main .badge", "已完成")
	m.ExpectText("#trip-distance", "86.4")

	// 单车核算 shows the trip.
	m.Open(ledger)
	km1, cost1, n1 := num(t, m.Text("#ledger-distance")), num(t, m.Text("#ledger-cost")), num(t, m.Text("#ledger-trips"))
	if d := km1 - km0; d < 86.35 || d > 86.45 {
		t.Errorf("the ledger's distance grew by %.2f km, want 86.4", d)
	}
	if d := cost1 - cost0; d < 97.49 || d > 97.51 {
		t.Errorf("the ledger's cost grew by %.2f yuan, want 97.50", d)
	}
	if n1-n0 != 1 {
		t.Errorf("the ledger counts %v trips, before %v", n1, n0)
	}
	m.Snap("ledger")

	// The 派车单 prints.
	m.Open(trip)
	m.printMedia(true)
	slip := m.Text("#slip")
	for _, want := range []string{"公务用车派车单", plate, driver, dest, "用车人签字", "驾驶员签字", "调度签字", "86.4"} {
		if !strings.Contains(slip, want) {
			t.Errorf("the printed 派车单 lacks %q: %q", want, short(slip))
		}
	}
	if shown := Eval[bool](m, `getComputedStyle(document.querySelector("#slip")).display !== "none"`); !shown {
		t.Errorf("the 派车单 is hidden in print")
	}
	m.expectPrintedChrome()
	if hidden := Eval[bool](m, `[...document.querySelectorAll("main .no-print")].every(e => getComputedStyle(e).display === "none")`); !hidden {
		t.Errorf("the printed trip shows the screen's sections")
	}
	m.pdf("dispatch-slip")
	m.printMedia(false)
	Eval[bool](m, `(() => { window.print = () => { window.__printed = true; }; return true; })()`)
	m.Click(`button[data-print]`)
	m.WaitFor("the 打印派车单 button to call window.print", `window.__printed === true`)

	// The employee sees the completed trip.
	e.Open(trip)
	e.ExpectText("main .badge", "已完成")
}

// num reads a number as the pages show it ("1,234.5").
func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}
