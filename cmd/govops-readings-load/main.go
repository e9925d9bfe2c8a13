// Command govops-readings-load is the load tool for the meter-readings ingest path: it signs in, registers (or
// reuses) a set of meters on a unit, then posts bulk readings — every meter at consecutive 15-minute instants,
// batch after batch, from several concurrent workers — for a fixed time, and reports readings per second and the
// latency of the requests (each answered only once its readings are durable). Afterwards it asks the indicators
// endpoint, which waits for the roll-ups, and reports how long the backlog took.
//
//	go run ./cmd/govops-readings-load -url http://127.0.0.1:8080 -user admin -password … \
//	    -org 1 -meters 1000 -per-meter 10 -c 4 -d 30s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var (
		base     = flag.String("url", "http://127.0.0.1:8080", "server base URL")
		user     = flag.String("user", "admin", "username (needs energy:write to register meters and energy:ingest)")
		password = flag.String("password", os.Getenv("GOVOPS_LOAD_PASSWORD"), "password (or GOVOPS_LOAD_PASSWORD)")
		orgID    = flag.Int64("org", 1, "unit the load meters belong to")
		nMeters  = flag.Int("meters", 1000, "meters (registered as LOAD-<n> when missing)")
		perMeter = flag.Int("per-meter", 10, "readings per meter in one request (15-minute steps)")
		conc     = flag.Int("c", 4, "concurrent workers")
		dur      = flag.Duration("d", 20*time.Second, "duration")
		startAt  = flag.String("start", "2025-01-01T00:00:00+08:00", "instant of the first reading")
	)
	flag.Parse()
	t0, err := time.Parse(time.RFC3339, *startAt)
	if err != nil {
		fail("-start: %v", err)
	}
	client := &http.Client{Timeout: 120 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc * 2}}
	token := login(client, *base, *user, *password)
	call := func(method, path string, body []byte) (int, []byte, time.Duration) {
		req, _ := http.NewRequest(method, *base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		r, err := client.Do(req)
		if err != nil {
			return 0, []byte(err.Error()), time.Since(start)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r.StatusCode, b, time.Since(start)
	}

	meters := ensureMeters(call, *orgID, *nMeters)
	fmt.Printf("%d meters on unit %d\n", len(meters), *orgID)

	// Each batch takes the next perMeter instants for every meter; counters grow with the instant.
	var next atomic.Int64
	body := func(b int64) []byte {
		var buf bytes.Buffer
		buf.Grow(len(meters) * *perMeter * 64)
		buf.WriteByte('[')
		for k := 0; k < *perMeter; k++ {
			step := b*int64(*perMeter) + int64(k)
			ts := t0.Add(time.Duration(step) * 15 * time.Minute).Format(time.RFC3339)
			for i, m := range meters {
				if k > 0 || i > 0 {
					buf.WriteByte(',')
				}
				buf.WriteString(`{"meter_id":`)
				buf.Write(strconv.AppendInt(nil, m, 10))
				buf.WriteString(`,"ts":"`)
				buf.WriteString(ts)
				buf.WriteString(`","value":`)
				buf.Write(strconv.AppendFloat(nil, float64(step)*1.25, 'f', 2, 64))
				buf.WriteByte('}')
			}
		}
		buf.WriteByte(']')
		return buf.Bytes()
	}
	var (
		mu       sync.Mutex
		lat      []time.Duration
		readings atomic.Int64
		errorsN  atomic.Int64
		wg       sync.WaitGroup
	)
	deadline := time.Now().Add(*dur)
	began := time.Now()
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for time.Now().Before(deadline) {
				b := body(next.Add(1) - 1)
				st, resp, d := call("POST", "/api/v1/energy/readings", b)
				if st != 200 {
					errorsN.Add(1)
					fmt.Fprintf(os.Stderr, "status %d: %.200s\n", st, resp)
					continue
				}
				var res struct{ Inserted int }
				_ = json.Unmarshal(resp, &res)
				readings.Add(int64(res.Inserted))
				local = append(local, d)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(q float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	fmt.Printf("%d requests of %d readings in %s with %d workers: %.0f readings/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %d errors\n",
		len(lat), len(meters)**perMeter, elapsed.Round(time.Millisecond), *conc, float64(readings.Load())/elapsed.Seconds(), pct(.5), pct(.95), pct(.99), pct(1),
		errorsN.Load())
	// Roll-ups run behind the ingest: wait until every load meter's last roll-up reached the last instant sent.
	last := t0.Add(time.Duration(next.Load()*int64(*perMeter)-1) * 15 * time.Minute)
	catch := time.Now()
	for {
		behind := 0
		for page := 1; ; page++ {
			st, b, _ := call("GET", fmt.Sprintf("/api/v1/energy/meters?org_id=%d&q=LOAD-&page_size=500&page=%d", *orgID, page), nil)
			if st != 200 {
				fail("list meters: %d %s", st, b)
			}
			var list struct {
				Items []struct {
					Last string `json:"last_reading_at"`
				}
			}
			_ = json.Unmarshal(b, &list)
			for _, m := range list.Items {
				if t, err := time.Parse(time.RFC3339, m.Last); err != nil || t.Before(last) {
					behind++
				}
			}
			if len(list.Items) < 500 {
				break
			}
		}
		if behind == 0 {
			break
		}
		if time.Since(catch) > 10*time.Minute {
			fail("roll-ups still behind on %d meters after 10 minutes", behind)
		}
		time.Sleep(500 * time.Millisecond)
	}
	fmt.Printf("roll-ups of all %d meters caught up %s after the load ended (%.0f readings/s including roll-ups)\n", len(meters),
		time.Since(catch).Round(time.Millisecond), float64(readings.Load())/(elapsed+time.Since(catch)).Seconds())
	if errorsN.Load() > 0 {
		os.Exit(1)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func login(client *http.Client, base, user, password string) string {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	resp, err := client.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		fail("login: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 || out.Token == "" {
		fail("login failed: %s", resp.Status)
	}
	return out.Token
}

// ensureMeters finds the meters coded LOAD-0 … LOAD-(n-1), registering the missing ones.
func ensureMeters(call func(string, string, []byte) (int, []byte, time.Duration), org int64, n int) []int64 {
	have := map[string]int64{}
	for page := 1; ; page++ {
		st, b, _ := call("GET", fmt.Sprintf("/api/v1/energy/meters?org_id=%d&q=LOAD-&page_size=500&page=%d", org, page), nil)
		if st != 200 {
			fail("list meters: %d %s", st, b)
		}
		var list struct {
			Items []struct {
				ID   int64  `json:"id"`
				Code string `json:"code"`
			}
		}
		_ = json.Unmarshal(b, &list)
		for _, m := range list.Items {
			have[m.Code] = m.ID
		}
		if len(list.Items) < 500 {
			break
		}
	}
	out := make([]int64, n)
	for i := 0; i < n; i++ {
		code := "LOAD-" + strconv.Itoa(i)
		if id, ok := have[code]; ok {
			out[i] = id
			continue
		}
		body, _ := json.Marshal(map[string]any{"org_id": org, "energy_type": "electricity", "name": "压测表 " + strconv.Itoa(i), "code": code,
			"cumulative": true, "interval_s": 900})
		st, b, _ := call("POST", "/api/v1/energy/meters", body)
		if st != 201 {
			fail("register meter %s: %d %s", code, st, b)
		}
		var m struct {
			ID int64 `json:"id"`
		}
		_ = json.Unmarshal(b, &m)
		out[i] = m.ID
	}
	return out
}
