package energy

import (
	"context"
	"fmt"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
)

// todos is the energy work waiting for u: meters whose readings have open anomalies to check (energy:write), one
// to-do a meter.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	if !u.Can("energy:write") {
		return nil, nil
	}
	cond, args := auth.ScopeFrom(ctx).PathCond("o.id", "o.path")
	type row struct {
		meter      int64
		name, unit string
		n          int64
	}
	rows, err := db.Select(ctx, s.DB, func(sc db.Scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.meter, &r.name, &r.unit, &r.n)
	}, `SELECT a.meter_id, m.name, o.name, COUNT(*)`+anomalyFrom+` WHERE a.status = 'open' AND `+cond+`
		GROUP BY a.meter_id, m.name, o.name, o.path ORDER BY o.path, m.name LIMIT 100`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]module.Todo, 0, len(rows))
	for _, r := range rows {
		out = append(out, module.Todo{Kind: "energy.anomaly", Label: "energy.todo.anomaly|待核实读数异常",
			Title: fmt.Sprintf("%s：%s（%d 条）", r.unit, r.name, r.n), Link: "/energy/anomalies?status=open&meter_id=" + strconv.FormatInt(r.meter, 10)})
	}
	return out, nil
}
