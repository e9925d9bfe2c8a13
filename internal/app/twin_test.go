package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/config"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/settings"
)

// TestTwoInstances starts two servers on one database, as two replicas behind a load balancer, and checks that
// they behave as one: sessions and tokens, the sign-in lockout and rate limit, periodic jobs, cached figures and
// the meter readings path (README §多实例部署). Two processes on one SQLite file are not the supported way to
// scale out (SQLite serialises every writer), so the concurrent parts run on PostgreSQL only.
func TestTwoInstances(t *testing.T) {
	pg := os.Getenv(dbtest.Env) != ""
	base := apptest.New(t)
	var logs lockedBuffer
	a := base.Twin(t, apptest.TwinOptions{Name: "A", Log: &logs})
	b := base.Twin(t, apptest.TwinOptions{Name: "B", Log: &logs})
	adminA := a.Admin()
	defer func() {
		// Neither instance failed at anything along the way (a deadlock between their writers, a lost lease).
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "level=ERROR") {
				t.Errorf("logged: %s", l)
			}
		}
	}()

	t.Run("session", func(t *testing.T) {
		// A browser session opened on A works on B, including a state-changing form with A's CSRF token.
		br := a.Browser("admin", apptest.AdminPassword)
		onB := br.On(b)
		if r := onB.Get("/"); r.StatusCode != 200 {
			t.Fatalf("home page on B with A's session: %d", r.StatusCode)
		}
		// A bearer token issued by A works on B, and logging out on B ends it on A.
		api := a.Admin()
		if st := api.On(b).JSON("GET", "/api/v1/me", nil, nil); st != 200 {
			t.Fatalf("GET /api/v1/me on B with A's token: %d", st)
		}
		if st := api.On(b).JSON("POST", "/api/v1/auth/logout", nil, nil); st/100 != 2 {
			t.Fatalf("logout on B: %d", st)
		}
		if st := api.JSON("GET", "/api/v1/me", nil, nil); st != 401 {
			t.Errorf("token logged out on B still works on A: %d", st)
		}
		if r := onB.Form("POST", "/logout", url.Values{}); r.StatusCode != 303 {
			t.Fatalf("browser logout on B: %d", r.StatusCode)
		}
		if r := br.Get("/"); r.StatusCode != 303 {
			t.Errorf("session logged out on B still opens the home page on A: %d", r.StatusCode)
		}
	})

	t.Run("cached figure", func(t *testing.T) {
		unit := twinOrg(t, adminA, "双实例缓存测试单位")
		adminB := adminA.On(b)
		set := func(c *apptest.Client, amount float64) {
			t.Helper()
			body := map[string]any{"org_id": unit, "period": "2024-03", "energy_type": "water", "amount": amount}
			if st := c.JSON("POST", "/api/v1/energy/consumption", body, nil); st/100 != 2 {
				t.Fatalf("set consumption: %d", st)
			}
		}
		water := func(c *apptest.Client) float64 {
			t.Helper()
			var in struct {
				WaterM3 float64 `json:"water_m3"`
			}
			if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/indicators?org_id=%d&year=2024", unit), nil, &in); st != 200 {
				t.Fatalf("indicators: %d", st)
			}
			return in.WaterM3
		}
		set(adminA, 100)
		if w1, w2 := water(adminA), water(adminB); w1 != 100 || w2 != 100 {
			t.Fatalf("water = %v on A, %v on B, want 100 (both now cached)", w1, w2)
		}
		set(adminA, 250) // written on A …
		if w := water(adminB); w != 250 {
			t.Errorf("water on B after a write on A = %v, want 250 (B's cached figure must not survive the write)", w)
		}
		set(adminB, 40) // … and on B
		if w := water(adminA); w != 40 {
			t.Errorf("water on A after a write on B = %v, want 40", w)
		}
	})

	t.Run("meter readings", func(t *testing.T) {
		if !pg {
			t.Skip("concurrent writers on one SQLite file are not a supported deployment; set " + dbtest.Env)
		}
		twinReadings(t, a, b, adminA)
	})

	t.Run("periodic job", func(t *testing.T) {
		// The same job on both instances, due now: it runs once, on one of them; so does every built-in job.
		var runs atomic.Int64
		job := jobs.Job{Name: "test.twin", Title: "双实例测试任务", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			runs.Add(1)
			time.Sleep(100 * time.Millisecond)
			return "ok", nil
		}}
		a.App.Jobs.Add(job)
		b.App.Jobs.Add(job)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		a.App.Jobs.Start(ctx)
		b.App.Jobs.Start(ctx)
		names := []string{}
		for _, j := range a.App.Jobs.Jobs() {
			names = append(names, j.Name)
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if a.Count(t, "SELECT COUNT(DISTINCT job) FROM job_runs WHERE status <> 'running'") >= int64(len(names)) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second) // time for a second, wrong run on the other instance
		if n := runs.Load(); n != 1 {
			t.Errorf("test.twin ran %d times on two instances, want 1", n)
		}
		for _, n := range names {
			if c := a.Count(t, "SELECT COUNT(*) FROM job_runs WHERE job = ?", n); c != 1 {
				t.Errorf("job %s: %d runs on two instances, want 1", n, c)
			}
		}
	})

	t.Run("lockout", func(t *testing.T) {
		// Five failures for one name, spread over both instances, lock it on both: the fifth is answered 423.
		name := "twin-guess"
		for i := range 4 {
			env := []*apptest.Env{a, b}[i%2]
			if st := login(env, name, "wrong-password"); st != 401 {
				t.Fatalf("failure %d on %s: %d, want 401", i+1, []string{"A", "B"}[i%2], st)
			}
		}
		if st := login(a, name, "wrong-password"); st != 423 {
			t.Errorf("fifth failure (on A) after four on A and B: %d, want 423", st)
		}
		if st := login(b, name, "wrong-password"); st != 423 {
			t.Errorf("attempt on B after five failures on A and B: %d, want 423", st)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		a.Clock.Advance(2 * time.Minute) // a new minute for the source counter
		// 30 failures a minute from one address, whichever instance answers, then 429.
		for i := range 30 {
			env := []*apptest.Env{a, b}[i%2]
			if st := login(env, fmt.Sprintf("twin-rate-%d", i), "wrong-password"); st != 401 {
				t.Fatalf("failure %d: %d, want 401", i+1, st)
			}
		}
		for i, env := range []*apptest.Env{a, b} {
			if st := login(env, "twin-rate-x", "wrong-password"); st != 429 {
				t.Errorf("31st failure within a minute on %s: %d, want 429", []string{"A", "B"}[i], st)
			}
		}
	})
}

// lockedBuffer collects the log lines of both instances.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func login(e *apptest.Env, user, pw string) int {
	return e.Anonymous().JSON("POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw}, nil)
}

func twinOrg(t *testing.T, c *apptest.Client, name string) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	body := map[string]any{"name": name, "kind": "organ", "admin_level": "municipal", "category": "organ", "headcount": 20, "floor_area_m2": 1000}
	if st := c.JSON("POST", "/api/v1/orgs", body, &out); st != 201 {
		t.Fatalf("create unit %s: %d", name, st)
	}
	return out.ID
}

type twinReading struct {
	MeterID int64   `json:"meter_id"`
	TS      int64   `json:"ts"`
	Value   float64 `json:"value"`
}

// twinReadings posts four months of daily readings of 48 meters of four units, in slices shuffled over both
// instances and several clients each (out of order: gaps open and close again; a quarter of the requests twice), and checks the roll-ups and unit
// figures against the arithmetic.
func twinReadings(t *testing.T, a, b *apptest.Env, admin *apptest.Client) {
	var units []int64
	for _, n := range []string{"甲", "乙", "丙", "丁"} {
		units = append(units, twinOrg(t, admin, "双实例计量单位"+n))
	}
	type meter struct {
		id, org int64
		step    float64
	}
	var meters []meter
	for i := range 48 { // more than one roll-up transaction's worth (25), so the instances roll up different meters of the same units at once
		org := units[i%len(units)]
		var out struct {
			ID int64 `json:"id"`
		}
		body := map[string]any{"org_id": org, "energy_type": "electricity", "name": fmt.Sprintf("总表 %d", i+1), "interval_s": 86400}
		if st := admin.JSON("POST", "/api/v1/energy/meters", body, &out); st != 201 {
			t.Fatalf("create meter: %d", st)
		}
		meters = append(meters, meter{out.ID, org, float64(10 + i%7)})
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	const days = 120 // 1 January … 30 April
	var slices [][]twinReading
	want := map[int64]float64{}
	for _, m := range meters {
		for d0 := 0; d0 < days; d0 += 15 {
			var s []twinReading
			for d := d0; d < min(d0+15, days); d++ {
				s = append(s, twinReading{m.id, start + int64(d)*86400, 1000 + float64(d)*m.step})
			}
			slices = append(slices, s)
		}
		want[m.org] += float64(days-1) * m.step
	}
	rng := rand.New(rand.NewPCG(12, 2026))
	rng.Shuffle(len(slices), func(i, j int) { slices[i], slices[j] = slices[j], slices[i] })
	// Requests of three slices each (several meters of both units), from four clients per instance.
	work := make(chan []twinReading)
	go func() {
		for i := 0; i < len(slices); i += 3 {
			var req []twinReading
			for _, s := range slices[i:min(i+3, len(slices))] {
				req = append(req, s...)
			}
			work <- req
			if i%4 == 0 {
				work <- req // again, likely through the other instance: a collector's retry
			}
		}
		close(work)
	}()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range 8 {
		c := admin.On([]*apptest.Env{a, b}[i%2])
		wg.Go(func() {
			for req := range work {
				if st := c.JSON("POST", "/api/v1/energy/readings", req, nil); st != 200 {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d reading uploads failed", n)
	}
	deadline := time.Now().Add(60 * time.Second)
	for a.Count(t, "SELECT COUNT(*) FROM energy_rollup_queue") > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("roll-up queue not drained after 60 s: %d meters left", a.Count(t, "SELECT COUNT(*) FROM energy_rollup_queue"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := a.Count(t, "SELECT COUNT(*) FROM energy_readings"); n != int64(len(meters)*days) {
		t.Errorf("readings stored = %d, want %d", n, len(meters)*days)
	}
	if n := a.Count(t, "SELECT COUNT(*) FROM energy_anomalies WHERE status = 'open'"); n != 0 {
		t.Errorf("%d open anomalies left after every gap was filled, want 0", n)
	}
	for _, m := range meters {
		var got float64
		if err := a.App.DB.QueryRow(context.Background(), "SELECT COALESCE(SUM(amount), 0) FROM energy_meter_monthly WHERE meter_id = ?", m.id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != float64(days-1)*m.step {
			t.Errorf("meter %d: monthly roll-ups sum to %v, want %v", m.id, got, float64(days-1)*m.step)
		}
	}
	for _, u := range units {
		for i, env := range []*apptest.Env{a, b} {
			var in struct {
				ByType []struct {
					EnergyType string  `json:"energy_type"`
					Amount     float64 `json:"amount"`
				} `json:"by_type"`
			}
			if st := admin.On(env).JSON("GET", fmt.Sprintf("/api/v1/energy/indicators?org_id=%d&year=2025", u), nil, &in); st != 200 {
				t.Fatalf("indicators: %d", st)
			}
			got := 0.0
			for _, bt := range in.ByType {
				if bt.EnergyType == "electricity" {
					got = bt.Amount
				}
			}
			if got != want[u] {
				t.Errorf("unit %d on %s: electricity 2025 = %v, want %v", u, []string{"A", "B"}[i], got, want[u])
			}
		}
	}
}

// TestTwoInstancesMQTT: with two instances configured for the same broker, one subscribes (it holds the lease
// "energy.mqtt"), so each message is taken once; when it stops, the other takes over the same persistent session.
func TestTwoInstancesMQTT(t *testing.T) {
	if os.Getenv(dbtest.Env) == "" {
		// Both instances run every job and the subscriber on one file: SQLite's single writer makes them wait for
		// each other until busy timeouts on a loaded machine; replicas are a PostgreSQL deployment.
		t.Skip("two instances with background work on one SQLite file are not a supported deployment; set " + dbtest.Env)
	}
	const broker = "127.0.0.1:1883"
	if c, err := net.DialTimeout("tcp", broker, time.Second); err != nil {
		msg := "no MQTT broker on " + broker + " (" + err.Error() + "): start mosquitto to run this test"
		if os.Getenv("GOVOPS_MQTT_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	} else {
		c.Close()
	}
	base := apptest.New(t)
	prefix := fmt.Sprintf("govops-twin/%d", rand.Uint64())
	cfg := energy.MQTTSettings{Topics: []string{prefix + "/meters/+/telemetry"}, ClientID: "govops-twin-" + prefix[12:], QoS: 1}
	if err := settings.Put(context.Background(), base.App.DB, energy.MQTTKey, cfg, time.Now(), "test"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // drop the persistent session left on the broker
		c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(cfg.ClientID).SetCleanSession(true))
		if tok := c.Connect(); tok.WaitTimeout(5*time.Second) && tok.Error() == nil {
			c.Disconnect(100)
		}
	})
	var logs lockedBuffer
	withBroker := func(c *config.Config) { c.MQTTURL = "tcp://" + broker }
	envs := []*apptest.Env{
		base.Twin(t, apptest.TwinOptions{Name: "A", Log: &logs, Configure: withBroker}),
		base.Twin(t, apptest.TwinOptions{Name: "B", Log: &logs, Configure: withBroker}),
	}
	admin := envs[0].Admin()
	unit := twinOrg(t, admin, "双实例采集单位")
	if st := admin.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": unit, "energy_type": "electricity", "name": "采集表", "code": "TW-1"}, nil); st != 201 {
		t.Fatalf("create meter: %d", st)
	}
	svc := func(e *apptest.Env) *energy.Service { return apptest.Module[*energy.Service](e) }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, e := range envs {
		e.App.Jobs.LeaseTTL = time.Second
		e.App.Start(ctx)
	}
	holder := func() int {
		t.Helper()
		var on []int
		for i, e := range envs {
			if svc(e).MQTT().Enabled {
				on = append(on, i)
			}
		}
		if len(on) > 1 {
			t.Fatalf("both instances subscribe to the broker")
		}
		if len(on) == 0 || !svc(envs[on[0]]).MQTT().Connected {
			return -1
		}
		return on[0]
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 20 s for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("one instance to subscribe", func() bool { return holder() >= 0 })
	time.Sleep(1500 * time.Millisecond) // the subscription is made in the connect handler; the other instance stays off
	first := holder()
	if first < 0 {
		t.Fatal("the subscriber went away")
	}
	if !svc(envs[1-first]).MQTT().Elsewhere {
		t.Error("the instance that does not subscribe does not say another one does")
	}
	if r := envs[1-first].Browser("admin", apptest.AdminPassword).Get("/energy/factors"); !strings.Contains(r.Body, "由另一个实例订阅") {
		t.Errorf("the settings page of the other instance (%d) does not say another instance subscribes", r.StatusCode)
	}
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID("govops-twin-pub-" + prefix[12:]))
	if tok := pub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher connect: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	ts := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	publish := func(from, n int) {
		t.Helper()
		for i := from; i < from+n; i++ {
			payload := fmt.Sprintf(`{"ts": %d, "values": {"value": %d}}`, (ts+int64(i)*900)*1000, 100+i)
			if tok := pub.Publish(prefix+"/meters/TW-1/telemetry", 1, false, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
				t.Fatalf("publish: %v", tok.Error())
			}
		}
	}
	publish(0, 20)
	wait("20 readings", func() bool { return base.Count(t, "SELECT COUNT(*) FROM energy_readings") == 20 })
	time.Sleep(300 * time.Millisecond)
	if r := svc(envs[0]).MQTT().Received + svc(envs[1]).MQTT().Received; r != 20 {
		t.Errorf("messages received by both instances = %d, want 20 (each message taken once)", r)
	}
	// The holder stops (a rolling upgrade); messages sent meanwhile wait in the session the other one takes over.
	envs[first].App.Stop(context.Background())
	publish(20, 5)
	other := envs[1-first]
	wait("the other instance to take over", func() bool { return svc(other).MQTT().Connected })
	wait("25 readings", func() bool { return base.Count(t, "SELECT COUNT(*) FROM energy_readings") == 25 })
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			t.Errorf("logged: %s", l)
		}
	}
}
