// Command govops is the whole GovOps program: the web server, migrations, the demo province, user
// administration, audit verification and backups, in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/govops/govops/internal/app"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/config"
	"github.com/govops/govops/internal/platform/db"
)

const usage = `GovOps 机关事务一体化管理平台

用法: govops <命令> [选项]

命令:
  serve          启动 Web 服务（首次启动自动建库、迁移并创建 admin）
  migrate        只执行数据库迁移（--status 列出未执行的迁移）
  demo           向数据库载入演示省数据（--scale N 另生成 N×1 万单位、N×10 万人员，用于压测）
  user           用户管理: user add <用户名> [--role 角色] [--scope all|subtree|unit|self] [--org 单位ID]
                            user reset-password <用户名> | user grant <用户名> --role 角色,…
                            user disable <用户名> | user enable <用户名>
                            （三员分立：安全保密管理员、安全审计员账户在此创建；管理员密码在此重置）
  verify-audit   校验审计日志哈希链，发现篡改时以非零状态退出
  backup         备份 SQLite 数据库到文件: backup <目标文件>
  version        显示版本
  help           显示本帮助及全部配置项

示例:
  go run ./cmd/govops serve --demo
  govops serve --db postgres://govops@127.0.0.1/govops --addr 0.0.0.0:8080
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv); err != nil {
		fmt.Fprintln(os.Stderr, "govops:", oneLine(err))
		os.Exit(1)
	}
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("缺少命令")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, env)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr, env)
	case "demo":
		return demoCmd(ctx, rest, stdout, stderr, env)
	case "user":
		return userCmd(ctx, rest, stdout, stderr, env)
	case "verify-audit":
		return verifyAudit(ctx, rest, stdout, stderr, env)
	case "backup":
		return backup(ctx, rest, stdout, stderr, env)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "govops", app.Version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout)
		config.PrintHelp(stdout)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("未知命令 %q", cmd)
}

// parse fills a Config from the flags of a sub-command and the environment.
func parse(name string, args []string, stderr io.Writer, env func(string) (string, bool), extra func(*flag.FlagSet), opts ...string) (config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.Register(fs, opts...)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return config.Config{}, fs, err
	}
	c := config.Defaults()
	if err := b.Apply(&c, env); err != nil {
		return c, fs, err
	}
	return c, fs, nil
}

func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	c, _, err := parse("serve", args, stderr, env, nil)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	start := time.Now()
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s: %w", c.Addr, err)
	}
	defer ln.Close()
	clk, err := appClock(env, log)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, c, log, clk)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.AdminCreated {
		if a.AdminPassword != "" {
			fmt.Fprintf(stdout, "已创建管理员账户 admin，初始密码（只显示这一次，请妥善保存）: %s\n", a.AdminPassword)
		} else {
			fmt.Fprintln(stdout, "已创建管理员账户 admin，密码为 GOVOPS_ADMIN_PASSWORD 中设置的值")
		}
	}
	if c.Demo {
		if err := loadDemo(ctx, a, stdout); err != nil {
			return err
		}
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	url := scheme + "://" + displayAddr(ln.Addr().String()) + "/"
	fmt.Fprintf(stdout, "GovOps %s 已启动: %s  (数据库 %s，用时 %d ms)\n", app.Version, url, redact(c.DB), time.Since(start).Milliseconds())
	fmt.Fprintf(stdout, "用浏览器打开 %s ，以 admin（或上面列出的演示账户）登录。按 Ctrl+C 停止。\n", url)
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	a.Start(ctx)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	errc := make(chan error, 1)
	go func() {
		if c.TLSCert != "" {
			errc <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
		sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("shutdown", "err", err)
		}
		a.Stop(sctx)
		fmt.Fprintln(stdout, "GovOps 已停止")
	}
	return nil
}

func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 && strings.Contains(dsn, "://") {
		j := strings.Index(dsn, "://") + 3
		if k := strings.Index(dsn[j:i], ":"); k >= 0 {
			return dsn[:j+k+1] + "***" + dsn[i:]
		}
	}
	return dsn
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	var status bool
	c, _, err := parse("migrate", args, stderr, env, func(fs *flag.FlagSet) {
		fs.BoolVar(&status, "status", false, "只列出未执行的迁移")
	}, "db", "log-level", "log-format")
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, c.DB, db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	if status {
		p, err := db.Pending(ctx, d, app.Migrations()...)
		if err != nil {
			return err
		}
		if len(p) == 0 {
			fmt.Fprintln(stdout, "数据库已是最新")
		}
		for _, m := range p {
			fmt.Fprintln(stdout, "未执行:", m)
		}
		return nil
	}
	n, err := db.Migrate(ctx, d, app.Migrations()...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已执行 %d 个迁移\n", n)
	return nil
}

func verifyAudit(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	c, _, err := parse("verify-audit", args, stderr, env, nil, "db")
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, c.DB, db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	n, problems, err := audit.Verify(ctx, d)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "审计日志完整：已校验 %d 条记录，哈希链无断裂\n", n)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "第 %d 条: %s\n", p.ID, p.Reason)
	}
	return fmt.Errorf("审计日志被篡改：已校验 %d 条，发现 %d 处异常", n, len(problems))
}

func backup(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	c, fs, err := parse("backup", args, stderr, env, nil, "db")
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("用法: govops backup <目标文件>")
	}
	target := fs.Arg(0)
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("目标文件 %s 已存在", target)
	}
	d, err := db.Open(ctx, c.DB, db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := db.Backup(ctx, d, target); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已备份到 %s\n", target)
	return nil
}
