package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"context"

	"github.com/govops/govops/internal/platform/errs"
)

// ContentSecurityPolicy allows only this origin's scripts, styles and images: no inline script, no CDN.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Handler returns the complete HTTP handler: recover → log and metrics → security headers → cross-origin
// protection → flash → registered middlewares (authentication) → routes.
func (u *UI) Handler() http.Handler {
	var h http.Handler = u.mux
	for i := len(u.middlewares) - 1; i >= 0; i-- {
		h = u.middlewares[i](h)
	}
	h = u.flash(h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.Error(w, r, errs.Forbidden("跨站请求被拒绝"))
	}))
	h = cop.Handler(h)
	h = u.headers(h)
	return u.logAndRecover(h)
}

func (u *UI) logAndRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var b [8]byte
		_, _ = rand.Read(b[:])
		rid := hex.EncodeToString(b[:])
		route := &routeHolder{}
		ctx := context.WithValue(r.Context(), keyRequestID, rid)
		r = r.WithContext(context.WithValue(ctx, keyRoute, route))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				u.Log.Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()), "request_id", rid)
				if sw.status == 0 {
					u.Error(sw, r, errs.Internal(fmt.Errorf("panic: %v", p)))
				}
			}
			d := time.Since(start)
			u.Metrics.observe(route.pattern, r.Method, sw.status, d)
			if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/metrics" && r.URL.Path != "/healthz" {
				u.Log.Info("http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
					"ms", float64(d.Microseconds())/1000, "bytes", sw.bytes, "request_id", rid)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (u *UI) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if u.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func (u *UI) flash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && !IsAPI(r) {
			if ck, err := r.Cookie("govops_flash"); err == nil {
				var fl []Flash
				if b, err := base64.RawURLEncoding.DecodeString(ck.Value); err == nil && json.Unmarshal(b, &fl) == nil {
					r = r.WithContext(context.WithValue(r.Context(), keyFlash, fl))
				}
				http.SetCookie(w, &http.Cookie{Name: "govops_flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
			}
		}
		next.ServeHTTP(w, r)
	})
}
