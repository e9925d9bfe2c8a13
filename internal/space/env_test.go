package space_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/db"
)

const demoPassword = "Demo@2026"

// newEnv starts the program with the demo province (the module's demo included).
func newEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, apptest.Options{Demo: true})
}

func id64(t *testing.T, env *apptest.Env, query string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := env.App.DB.QueryRow(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
	return v
}

func orgID(t *testing.T, env *apptest.Env, name string) int64 {
	t.Helper()
	return id64(t, env, "SELECT id FROM orgs WHERE name = ?", name)
}

func count(t *testing.T, env *apptest.Env, query string, args ...any) int64 {
	t.Helper()
	n, err := db.Count(context.Background(), env.App.DB, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type violation struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	RoomID    int64   `json:"room_id"`
	PersonID  int64   `json:"person_id"`
	ActualM2  float64 `json:"actual_m2"`
	AllowedM2 float64 `json:"allowed_m2"`
	Detail    string  `json:"detail"`
	OrgID     int64   `json:"org_id"`
}

type violationList struct {
	Items []violation `json:"items"`
	Total int64       `json:"total"`
}

func violations(t *testing.T, c *apptest.Client, query url.Values) violationList {
	t.Helper()
	var out violationList
	if st := c.JSON("GET", "/api/v1/space/violations?"+query.Encode(), nil, &out); st != 200 {
		t.Fatalf("GET violations %s: %d", query.Encode(), st)
	}
	return out
}

func has(list violationList, kind string, room, person int64) bool {
	for _, v := range list.Items {
		if v.Kind == kind && (room == 0 || v.RoomID == room) && (person < 0 || v.PersonID == person) {
			return true
		}
	}
	return false
}

func q(kv ...any) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(fmt.Sprint(kv[i]), fmt.Sprint(kv[i+1]))
	}
	return v
}
