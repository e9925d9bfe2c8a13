package browsertest

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/clock"
)

// TestServicesRepairAndBooking is issue 10's first slice in a browser: the demo employee reports a repair with a
// photo on a phone-sized screen; the service desk assigns it, starts and resolves it; the employee confirms and
// rates it 5; then a meeting room is booked from the grid on a phone and a second booking of the same slot is
// refused.
func TestServicesRepairAndBooking(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	photo := filepath.Join(t.TempDir(), "现场.png")
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 30, 30, 255})
	}
	f, err := os.Create(photo)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// The employee reports on a phone.
	e := s.NewTab(t, "services-employee")
	e.SignIn("employee", DemoPassword)
	e.Phone()
	e.Open("/services/work-orders/new")
	if o := e.Overflow(); o.Px > 0 {
		t.Errorf("phone: the report form is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	room := Eval[string](e, `(() => { const o = document.querySelectorAll("#f-room_id option"); return o.length > 1 ? o[1].value : ""; })()`)
	if room == "" {
		t.Fatalf("the report form offers no room of the employee's unit")
	}
	e.Fill("#f-room_id", room)
	e.Click(`input[name=category][value=hvac]`)
	const problem = "浏览器测试：空调不制热"
	e.Type("#f-description", problem)
	e.Upload("#f-file", photo)
	if st := e.ClickAndWait("#order-submit"); st != 200 || !strings.HasPrefix(e.Path(), "/services/work-orders/") {
		t.Fatalf("report: status %d on %s: %s", st, e.Path(), short(e.Text("main")))
	}
	e.Check()
	e.ExpectText("main .flash", "已报修")
	e.ExpectText("main .badge", "待派单")
	e.ExpectText("main", "现场.png")
	if o := e.Overflow(); o.Px > 0 {
		t.Errorf("phone: the work order is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	e.Snap("reported")
	order := e.Path()
	if e.Count("#order-assign") != 0 {
		t.Errorf("the employee is offered the assignment")
	}

	// The desk assigns, starts and resolves.
	d := s.NewTab(t, "services-desk")
	d.SignIn("service", DemoPassword)
	d.Open(order)
	d.ExpectText("main", problem)
	worker := Eval[string](d, `(() => { const o = document.querySelectorAll("#f-assignee_id option"); return o.length ? o[0].value : ""; })()`)
	if worker == "" {
		t.Fatalf("no one to assign to")
	}
	d.Fill("#f-assignee_id", worker)
	if st := d.ClickAndWait("#order-assign"); st != 200 {
		t.Fatalf("assign: %d", st)
	}
	d.ExpectText("main .flash", "已派单")
	d.ExpectText("main .badge", "已派单")
	if st := d.ClickAndWait("#order-start"); st != 200 {
		t.Fatalf("start: %d", st)
	}
	d.ExpectText("main .badge", "维修中")
	d.Type("#f-note", "更换温控器，已恢复制热")
	if st := d.ClickAndWait("#order-resolve"); st != 200 {
		t.Fatalf("resolve: %d", st)
	}
	d.ExpectText("main .badge", "待确认")
	d.Snap("resolved")

	// The employee confirms and rates.
	e.Open(order)
	e.ExpectText("main", "更换温控器")
	e.Click(`input[name=rating][value="5"]`)
	if st := e.ClickAndWait("#order-close"); st != 200 {
		t.Fatalf("close: %d", st)
	}
	e.ExpectText("main .badge", "已完成")
	e.ExpectText("#order-rating", "5 / 5")
	e.Snap("closed")

	// A meeting room from tomorrow's grid, on a phone; the same slot again is refused.
	d.Phone()
	tomorrow := s.Now.In(clock.Shanghai).AddDate(0, 0, 1).Format(time.DateOnly)
	d.Open("/services/rooms?date=" + tomorrow)
	link := Eval[string](d, `(() => { const a = document.querySelector("#room-grid td.svc-free a"); return a ? a.getAttribute("href") : ""; })()`)
	if link == "" {
		t.Fatalf("no free slot in tomorrow's grid: %s", short(d.Text("main")))
	}
	d.Snap("grid")
	book := func() int {
		d.Open(link)
		d.Type("#f-title", "浏览器测试协调会")
		d.Fill("#f-attendees", "2")
		return d.ClickAndWait("#booking-submit", "/services/")
	}
	if st := book(); st != 200 || !strings.HasPrefix(d.Path(), "/services/bookings/") {
		t.Fatalf("book: status %d on %s: %s", st, d.Path(), short(d.Text("main")))
	}
	d.ExpectText("main .flash", "已预订")
	d.ExpectText("main .badge", "已预订")
	if o := d.Overflow(); o.Px > 0 {
		t.Errorf("phone: the booking is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	if st := book(); st != 409 {
		t.Errorf("the same slot again: status %d, want 409", st)
	}
	d.ExpectText("main", "已被预订")
	d.Snap("refused")
}
