package org_test

import (
	"context"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/web"
)

// scaled builds the benchmark province: the demo plus `demo --scale 1` (10,000 more units, ~100,000 more people).
func scaled(b *testing.B) *apptest.Env {
	env := apptest.New(b, apptest.Options{Demo: true})
	a := env.App
	if _, _, err := demo.Scale(context.Background(), demo.Deps{DB: a.DB, Clock: a.Clock, Org: a.Org, Auth: a.Auth}, 1); err != nil {
		b.Fatal(err)
	}
	return env
}

// BenchmarkSpine runs the spine's benchmarks over one scaled database (built once: it takes seconds).
func BenchmarkSpine(b *testing.B) {
	env := scaled(b)
	b.Run("PeopleList", func(b *testing.B) { benchPeopleList(b, env) })
	b.Run("ScopeCheck", func(b *testing.B) { benchScopeCheck(b, env) })
}

func scopeOf(b *testing.B, env *apptest.Env, name string) auth.Scope {
	var id int64
	if err := env.App.DB.QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = ?", name).Scan(&id); err != nil {
		b.Fatal(err)
	}
	sc, err := env.App.Auth.SubtreeScope(context.Background(), env.App.DB, id)
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// benchPeopleList is the benchmark: a scoped people list, page of 20, with and without a search.
func benchPeopleList(b *testing.B, env *apptest.Env) {
	ctx := context.Background()
	cases := []struct {
		name  string
		scope auth.Scope
		q     string
	}{
		{"all/search", auth.Everything(), "王"},
		{"all/page", auth.Everything(), ""},
		{"subtree10k/search", scopeOf(b, env, "压测数据 1"), "王"},
		{"subtree10k/page", scopeOf(b, env, "压测数据 1"), ""},
		{"subtree1k/search", scopeOf(b, env, "压测市 1-3"), "王"},
		{"subtree1k/page", scopeOf(b, env, "压测市 1-3"), ""},
		{"subtree100/search", scopeOf(b, env, "压测县 1-3-4"), "王"},
		{"subtree100/fullname", scopeOf(b, env, "压测县 1-3-4"), "王芳"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := org.PersonFilter{List: web.List{Page: 1, PageSize: 20, Q: c.q}}
			for i := 0; i < b.N; i++ {
				if _, _, err := org.ListPeople(ctx, env.App.DB, c.scope, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchScopeCheck: checking that one unit lies in a scope costs the same for a 100-unit and a 10,000-unit
// subtree (a path-prefix test after one primary-key lookup).
func benchScopeCheck(b *testing.B, env *apptest.Env) {
	ctx := context.Background()
	var target int64
	if err := env.App.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE name = ?", "压测单位 1-3-4-50").Scan(&target); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"压测县 1-3-4", "压测市 1-3", "压测数据 1"} {
		sc := scopeOf(b, env, name)
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := sc.CheckOrg(ctx, env.App.DB, org.Tree{}, target, "org_id"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
