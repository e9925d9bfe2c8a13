// Command govops-load is the load tool for GovOps' hot paths: it signs in through the API, then sends requests from
// several concurrent workers for a fixed time and reports throughput and latency percentiles.
//
//	go run ./cmd/govops-load -url http://127.0.0.1:8080 -user admin -password … -c 8 -d 20s \
//	    -path '/api/v1/people?page_size=20&q=王' -path '/api/v1/orgs?page_size=20'
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
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type paths []string

func (p *paths) String() string     { return strings.Join(*p, ",") }
func (p *paths) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var (
		base     = flag.String("url", "http://127.0.0.1:8080", "server base URL")
		user     = flag.String("user", "admin", "username")
		password = flag.String("password", os.Getenv("GOVOPS_LOAD_PASSWORD"), "password (or GOVOPS_LOAD_PASSWORD)")
		conc     = flag.Int("c", 4, "concurrent workers")
		dur      = flag.Duration("d", 10*time.Second, "duration")
		warm     = flag.Int("warmup", 20, "warm-up requests per path (not measured)")
		ps       paths
	)
	flag.Var(&ps, "path", "GET path to request (repeatable; requests rotate over them)")
	flag.Parse()
	if len(ps) == 0 {
		ps = paths{"/api/v1/people?page_size=20"}
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc * 2}}
	body, _ := json.Marshal(map[string]string{"username": *user, "password": *password})
	resp, err := client.Post(*base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "login:", err)
		os.Exit(1)
	}
	var login struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if resp.StatusCode != 200 || login.Token == "" {
		fmt.Fprintln(os.Stderr, "login failed:", resp.Status)
		os.Exit(1)
	}
	get := func(p string) (time.Duration, int, error) {
		req, _ := http.NewRequest("GET", *base+p, nil)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		start := time.Now()
		r, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return time.Since(start), r.StatusCode, nil
	}
	for _, p := range ps {
		for i := 0; i < *warm; i++ {
			if _, st, err := get(p); err != nil || st != 200 {
				fmt.Fprintf(os.Stderr, "warm-up %s: status %d err %v\n", p, st, err)
				os.Exit(1)
			}
		}
	}
	var (
		mu      sync.Mutex
		byPath  = map[string][]time.Duration{}
		errorsN atomic.Int64
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(*dur)
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := map[string][]time.Duration{}
			for i := w; time.Now().Before(deadline); i++ {
				p := ps[i%len(ps)]
				d, st, err := get(p)
				if err != nil || st != 200 {
					errorsN.Add(1)
					continue
				}
				local[p] = append(local[p], d)
			}
			mu.Lock()
			for p, ds := range local {
				byPath[p] = append(byPath[p], ds...)
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	total := 0
	fmt.Printf("%-60s %8s %9s %9s %9s %9s\n", "path", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, p := range ps {
		ds := byPath[p]
		total += len(ds)
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		pct := func(q float64) float64 {
			if len(ds) == 0 {
				return 0
			}
			return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) / 1000
		}
		fmt.Printf("%-60s %8d %9.2f %9.2f %9.2f %9.2f\n", p, len(ds), pct(.50), pct(.95), pct(.99), pct(1))
	}
	fmt.Printf("total %d requests in %s with %d workers: %.0f req/s, %d errors\n", total, *dur, *conc, float64(total)/dur.Seconds(), errorsN.Load())
	if errorsN.Load() > 0 {
		os.Exit(1)
	}
}
