package fleet_test

import (
	"context"
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

func count(t *testing.T, env *apptest.Env, query string, args ...any) int64 {
	t.Helper()
	n, err := db.Count(context.Background(), env.App.DB, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type vehicle struct {
	ID        int64   `json:"id"`
	OrgID     int64   `json:"org_id"`
	Plate     string  `json:"plate"`
	NewEnergy bool    `json:"new_energy"`
	Status    string  `json:"status"`
	Seats     int     `json:"seats"`
	PriceYuan float64 `json:"price_yuan"`
	Domestic  bool    `json:"domestic"`
	VIN       string  `json:"vin"`
}

type trip struct {
	ID              int64   `json:"id"`
	Status          string  `json:"status"`
	VehicleID       int64   `json:"vehicle_id"`
	DriverID        int64   `json:"driver_id"`
	DistanceKM      float64 `json:"distance_km"`
	TollYuan        float64 `json:"toll_yuan"`
	RequesterID     int64   `json:"requester_id"`
	OrgID           int64   `json:"org_id"`
	Emergency       bool    `json:"emergency"`
	EmergencyReason string  `json:"emergency_reason"`
}

type ledger struct {
	DistanceKM    float64            `json:"distance_km"`
	Trips         int64              `json:"trips"`
	CostYuan      float64            `json:"cost_yuan"`
	CostPerKMYuan float64            `json:"cost_per_km_yuan"`
	ByKind        map[string]float64 `json:"by_kind"`
}

type finding struct {
	VehicleID int64  `json:"vehicle_id"`
	Plate     string `json:"plate"`
	OrgID     int64  `json:"org_id"`
	Rule      string `json:"rule"`
	Detail    string `json:"detail"`
	RuleText  string `json:"rule_text"`
	Source    string `json:"source"`
}
