package energy

import (
	"context"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
)

// objects name energy records in the activity feed and link them to their pages (module.Object).
func objects() []module.Object {
	return []module.Object{
		{Type: "energy_consumption", Names: consumptionNames, Link: consumptionLink},
		{Type: "energy_meter", Names: module.NamesQuery("SELECT x.id, x.name FROM energy_meters x", "x.id", "x.org_id"), Link: module.LinkTo("/energy/meters/")},
		{Type: "energy_anomaly", Names: module.NamesQuery("SELECT x.id, m.name FROM energy_anomalies x JOIN energy_meters m ON m.id = x.meter_id", "x.id", "x.org_id")},
	}
}

// consumptionNames names monthly entries, keyed "unit id/YYYY-MM/type" (entryKey): "示范省档案馆 2026-10 电力".
func consumptionNames(ctx context.Context, q db.Q, sc auth.Scope, ids []string) (map[string]string, error) {
	var orgIDs []string
	for _, id := range ids {
		if org, _, _, ok := splitEntryKey(id); ok {
			orgIDs = append(orgIDs, org)
		}
	}
	units, err := module.NamesQuery("SELECT o.id, o.name FROM orgs o", "o.id", "o.id")(ctx, q, sc, orgIDs)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, id := range ids {
		org, period, typ, ok := splitEntryKey(id)
		unit, reached := units[org]
		if !ok || !reached {
			continue
		}
		name := typ
		if t, ok := TypeByCode(typ); ok {
			name = t.Name
		}
		out[id] = unit + " " + period + " " + name
	}
	return out, nil
}

// consumptionLink is the unit's monthly entry grid for the year of the entry.
func consumptionLink(id string) string {
	org, period, _, ok := splitEntryKey(id)
	if !ok {
		return ""
	}
	return "/energy/entry?org_id=" + org + "&year=" + period[:4]
}

// splitEntryKey reads an entryKey.
func splitEntryKey(id string) (org, period, typ string, ok bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || len(parts[1]) != 7 {
		return "", "", "", false
	}
	if _, err := strconv.ParseInt(parts[0], 10, 64); err != nil {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}
