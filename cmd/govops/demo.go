package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/govops/govops/internal/app"
	"github.com/govops/govops/internal/demo"
)

func deps(a *app.App) demo.Deps {
	return demo.Deps{DB: a.DB, Clock: a.Clock, Org: a.Org, Auth: a.Auth, Modules: a.Manifests}
}

func loadDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	res, err := demo.Load(ctx, deps(a))
	if err != nil {
		return fmt.Errorf("载入演示数据失败: %w", err)
	}
	if !res.Loaded {
		fmt.Fprintln(stdout, "数据库中已有单位，未重复载入演示数据")
		return nil
	}
	fmt.Fprintf(stdout, "已载入演示省“示范省”（虚构）：%d 个单位，%d 名人员\n", res.Units, res.People)
	fmt.Fprintf(stdout, "演示账户（密码均为 %s）:\n", demo.Password)
	for _, u := range res.Users {
		fmt.Fprintf(stdout, "  %-12s %-16s 数据范围：%s\n", u.Username, u.Role, u.Scope)
	}
	return nil
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	var scale int
	c, _, err := parse("demo", args, stderr, env, func(fs *flag.FlagSet) {
		fs.IntVar(&scale, "scale", 0, "另外生成 N×1 万单位、N×10 万人员（压测用）")
	}, "db", "admin-password", "log-level", "log-format")
	if err != nil {
		return err
	}
	clk, err := appClock(env, newLogger(c, stderr))
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, c, newLogger(c, stderr), clk)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.AdminCreated && a.AdminPassword != "" {
		fmt.Fprintf(stdout, "已创建管理员账户 admin，初始密码（只显示这一次）: %s\n", a.AdminPassword)
	}
	if err := loadDemo(ctx, a, stdout); err != nil {
		return err
	}
	if scale > 0 {
		u, p, err := demo.Scale(ctx, deps(a), scale)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已生成压测数据：%d 个单位，%d 名人员\n", u, p)
	}
	return nil
}
