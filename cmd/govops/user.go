package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/govops/govops/internal/app"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// userCmd manages accounts on the server. It acts as the system (actor cli in the audit log), above the rules of
// 三员分立 that bind administrators in the web — except that no account may hold two officers' powers — so it is
// how the security and audit administrators are created and how an officer's forgotten password is reset.
func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	const usage = "用法: govops user add <用户名> [--role 角色,…] … | user reset-password <用户名> | user grant <用户名> --role 角色,… | user disable <用户名> | user enable <用户名>"
	if len(args) == 0 {
		return errors.New(usage)
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "add", "reset-password", "grant", "disable", "enable":
	default:
		return fmt.Errorf("未知子命令 %q（add、reset-password、grant、disable 或 enable）", sub)
	}
	var roles, scope, name string
	var orgID, personID int64
	c, fs, err := parse("user "+sub, reorder(args), stderr, env, func(fs *flag.FlagSet) {
		fs.StringVar(&roles, "role", auth.RoleSystemAdmin, "角色代码，多个用逗号分隔")
		fs.StringVar(&scope, "scope", auth.ScopeAll, "数据范围 all|subtree|unit|self")
		fs.Int64Var(&orgID, "org", 0, "数据范围所在单位 ID")
		fs.Int64Var(&personID, "person", 0, "绑定的人员 ID")
		fs.StringVar(&name, "name", "", "姓名")
	}, "db", "log-level", "log-format")
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("请给出用户名")
	}
	roleGiven := false
	fs.Visit(func(f *flag.Flag) { roleGiven = roleGiven || f.Name == "role" })
	if sub == "grant" && !roleGiven {
		return errors.New("请用 --role 给出该用户的全部角色（逗号分隔）")
	}
	username := fs.Arg(0)
	clk, err := appClock(env, newLogger(c, stderr))
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, c, newLogger(c, stderr), clk)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = audit.WithActor(ctx, audit.Actor{Username: "cli"})
	if sub == "add" {
		pw, given := env("GOVOPS_USER_PASSWORD")
		if !given || pw == "" {
			pw = auth.RandomPassword()
		}
		u, err := a.Auth.CreateUser(ctx, nil, auth.Everything(), auth.UserInput{Username: username, Password: pw, DisplayName: name,
			Roles: strings.Split(roles, ","), DataScope: scope, ScopeOrgID: orgID, PersonID: personID})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已创建用户 %s（ID %d，角色 %s）\n", u.Login, u.ID, strings.Join(u.Roles, ","))
		if !given {
			fmt.Fprintf(stdout, "密码（只显示这一次）: %s\n", pw)
		}
		return nil
	}
	var id int64
	if err := a.DB.QueryRow(ctx, "SELECT id FROM users WHERE lower(username) = lower(?)", username).Scan(&id); err != nil {
		if db.IsNoRows(err) {
			return fmt.Errorf("用户 %s 不存在", username)
		}
		return err
	}
	switch sub {
	case "reset-password":
		pw, given := env("GOVOPS_USER_PASSWORD")
		given = given && pw != "" // "" asks ResetPassword for a random password
		pw, err := a.Auth.ResetPassword(ctx, nil, auth.Everything(), id, pw, false)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已重置 %s 的密码并解除锁定\n", username)
		if !given {
			fmt.Fprintf(stdout, "密码（只显示这一次）: %s\n", pw)
		}
	case "grant":
		list := strings.Split(roles, ",")
		u, err := a.Auth.UpdateUser(ctx, nil, auth.Everything(), id, auth.UserPatch{Roles: &list})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s 的角色现为 %s\n", u.Login, strings.Join(u.Roles, ","))
	case "disable", "enable":
		status := map[string]string{"disable": "disabled", "enable": "active"}[sub]
		if err := a.Auth.SetStatus(ctx, nil, auth.Everything(), id, status); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已%s用户 %s\n", map[string]string{"disable": "停用", "enable": "启用"}[sub], username)
	}
	return nil
}

// reorder moves flags before positional arguments so `user add alice --role x` works with the flag package.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}
