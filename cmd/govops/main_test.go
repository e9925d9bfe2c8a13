package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/db/dbtest"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return out.String(), errb.String(), err
}

func TestCLI(t *testing.T) {
	if out, _, err := runCLI(t, nil, "version"); err != nil || !strings.HasPrefix(out, "govops ") {
		t.Fatalf("version = %q %v", out, err)
	}
	out, _, err := runCLI(t, nil, "help")
	if err != nil || !strings.Contains(out, "GOVOPS_ADDR") || !strings.Contains(out, "--jt808-auth") {
		t.Fatalf("help = %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, nil, "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if _, _, err := runCLI(t, nil, "serve", "--addr", "nonsense"); err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("bad --addr: %v", err)
	}
	if _, _, err := runCLI(t, map[string]string{"GOVOPS_JT808_AUTH": "loose"}, "serve"); err == nil {
		t.Fatal("bad GOVOPS_JT808_AUTH accepted")
	}
	notDB := filepath.Join(t.TempDir(), "x.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, nil, "serve", "--addr", "127.0.0.1:0", "--db", notDB); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("unusable database: %v", err)
	}

	dsn := dbtest.DSN(t)
	env := map[string]string{"GOVOPS_DB": dsn, "GOVOPS_ADMIN_PASSWORD": "Root#Pass-2026", "GOVOPS_LOG_LEVEL": "error"}
	if out, _, err := runCLI(t, env, "migrate"); err != nil || !strings.Contains(out, "已执行") {
		t.Fatalf("migrate = %q %v", out, err)
	}
	if out, _, err := runCLI(t, env, "migrate", "--status"); err != nil || !strings.Contains(out, "最新") {
		t.Fatalf("migrate --status = %q %v", out, err)
	}
	out, _, err = runCLI(t, env, "user", "add", "zhangsan", "--role", "supervisor", "--name", "张三")
	if err != nil || !strings.Contains(out, "已创建用户 zhangsan") || !strings.Contains(out, "密码") {
		t.Fatalf("user add = %q %v", out, err)
	}
	if _, _, err := runCLI(t, env, "user", "add", "zhangsan"); err == nil {
		t.Fatal("duplicate user accepted")
	}
	env["GOVOPS_USER_PASSWORD"] = "New#Pass-4321"
	if out, _, err := runCLI(t, env, "user", "reset-password", "zhangsan"); err != nil || strings.Contains(out, "New#Pass") {
		t.Fatalf("reset-password = %q %v", out, err)
	}
	if _, _, err := runCLI(t, env, "user", "reset-password", "nobody"); err == nil {
		t.Fatal("reset of a missing user accepted")
	}
	// 三员分立: the officers are made here, never two in one account.
	delete(env, "GOVOPS_USER_PASSWORD")
	if out, _, err := runCLI(t, env, "user", "add", "shenji", "--role", "audit_admin"); err != nil || !strings.Contains(out, "audit_admin") {
		t.Fatalf("user add audit_admin = %q %v", out, err)
	}
	if _, _, err := runCLI(t, env, "user", "add", "both", "--role", "system_admin,security_admin"); err == nil || !strings.Contains(err.Error(), "三员分立") {
		t.Fatalf("two officer roles on one account: %v", err)
	}
	if out, _, err := runCLI(t, env, "user", "grant", "zhangsan", "--role", "security_admin"); err != nil || !strings.Contains(out, "security_admin") {
		t.Fatalf("user grant = %q %v", out, err)
	}
	if _, _, err := runCLI(t, env, "user", "grant", "zhangsan"); err == nil {
		t.Fatal("grant without --role accepted")
	}
	if _, _, err := runCLI(t, env, "user", "grant", "zhangsan", "--role", "security_admin,audit_admin"); err == nil {
		t.Fatal("grant of a second officer role accepted")
	}
	for _, sub := range []string{"disable", "enable"} {
		if out, _, err := runCLI(t, env, "user", sub, "shenji"); err != nil || !strings.Contains(out, "shenji") {
			t.Fatalf("user %s = %q %v", sub, out, err)
		}
	}
	if out, _, err := runCLI(t, env, "user", "reset-password", "shenji"); err != nil || !strings.Contains(out, "密码（只显示这一次）") {
		t.Fatalf("reset-password of an officer = %q %v", out, err)
	}
	if _, _, err := runCLI(t, env, "user", "frob", "x"); err == nil {
		t.Fatal("unknown user subcommand accepted")
	}
	if out, _, err := runCLI(t, env, "verify-audit"); err != nil || !strings.Contains(out, "完整") {
		t.Fatalf("verify-audit = %q %v", out, err)
	}
	if !strings.HasPrefix(dsn, "postgres") {
		target := filepath.Join(t.TempDir(), "backup.db")
		if out, _, err := runCLI(t, env, "backup", target); err != nil || !strings.Contains(out, "已备份") {
			t.Fatalf("backup = %q %v", out, err)
		}
		if out, _, err := runCLI(t, map[string]string{"GOVOPS_DB": target}, "verify-audit"); err != nil || !strings.Contains(out, "完整") {
			t.Fatalf("verify-audit on the backup = %q %v", out, err)
		}
		if _, _, err := runCLI(t, env, "backup", target); err == nil {
			t.Fatal("backup over an existing file accepted")
		}
	}
}
