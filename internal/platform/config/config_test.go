package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPrecedence(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	b := Register(fs)
	if err := fs.Parse([]string{"--addr", "0.0.0.0:9000", "--demo"}); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(secret, []byte("Secr3t!pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var c Config
	err := b.Apply(&c, env(map[string]string{
		"GOVOPS_ADDR": "1.2.3.4:1", "GOVOPS_DB": "postgres://x/y", "GOVOPS_ADMIN_PASSWORD_FILE": secret,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" {
		t.Errorf("flag should beat env: addr = %q", c.Addr)
	}
	if c.DB != "postgres://x/y" {
		t.Errorf("env should beat default: db = %q", c.DB)
	}
	if !c.Demo {
		t.Error("bare --demo not taken as true")
	}
	if c.AdminPassword != "Secr3t!pass" {
		t.Errorf("_FILE secret = %q", c.AdminPassword)
	}
	if c.JT808Auth != "strict" || c.JT808Addr != "127.0.0.1:7808" {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "nonsense"}, {"--jt808-auth", "maybe"}, {"--log-level", "loud"}, {"--demo=perhaps"},
		{"--tls-cert", "x.pem"}, {"--shutdown-grace", "soon"},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		b := Register(fs)
		if err := fs.Parse(args); err != nil {
			continue
		}
		var c Config
		if err := b.Apply(&c, env(nil)); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
