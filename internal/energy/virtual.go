package energy

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Meter roles: ” measures consumption, RoleExport is a grid-export point (PV), RoleVirtual is computed from other
// meters (virtual.go).
const (
	RoleExport  = "export"
	RoleVirtual = "virtual"
)

// Term is one meter of a virtual meter's formula, added (+1) or subtracted (−1).
type Term struct {
	MeterID int64  `json:"meter_id"`
	Sign    int    `json:"sign" doc:"1 加 · -1 减"`
	Name    string `json:"name,omitempty"`
	Code    string `json:"code,omitempty"`
}

// termRef is a term as written in a formula: a meter code or #id, with its sign.
type termRef struct {
	Ref  string
	Sign int
}

// parseFormula reads "M-01 - M-02 + #17": meter codes or #ids joined by + and − (ASCII or full width) written
// apart from the codes (a code may contain "-"); the first term may carry a sign. It checks the syntax only;
// resolveTerms finds the meters.
func parseFormula(s string) ([]termRef, error) {
	s = strings.NewReplacer("＋", "+", "－", "-", "−", "-").Replace(strings.TrimSpace(s))
	var out []termRef
	sign, pending := 1, false // pending: an operator waits for its term
	for _, tok := range strings.Fields(s) {
		if tok == "+" || tok == "-" {
			if pending || (len(out) == 0 && tok == "+") {
				return nil, fmt.Errorf("“%s”前缺少计量表", tok)
			}
			sign, pending = 1, true
			if tok == "-" {
				sign = -1
			}
			continue
		}
		if tok[0] == '+' || tok[0] == '-' { // an operator written against its term: "-M-02"
			if pending {
				return nil, fmt.Errorf("“%s”前多了一个运算符", tok)
			}
			sign, pending = 1, true
			if tok[0] == '-' {
				sign = -1
			}
			tok = tok[1:]
		}
		if len(out) > 0 && !pending {
			return nil, fmt.Errorf("计量表“%s”前应有 + 或 −", tok)
		}
		out = append(out, termRef{Ref: tok, Sign: sign})
		sign, pending = 1, false
	}
	if pending {
		return nil, fmt.Errorf("公式不完整：运算符后缺少计量表")
	}
	if len(out) > 50 {
		return nil, fmt.Errorf("公式最多 50 个计量表")
	}
	return out, nil
}

// resolveTerms finds the formula's meters: of the virtual meter's unit, physical (not virtual), of its energy type,
// not itself, each once. Problems go to f under "formula".
func resolveTerms(ctx context.Context, q db.Q, m Meter, selfID int64, refs []termRef, f errs.Fields) ([]Term, error) {
	var out []Term
	seen := map[int64]bool{}
	for _, r := range refs {
		var id int64
		var org int64
		var typ, role, name, code string
		var err error
		if strings.HasPrefix(r.Ref, "#") {
			n, perr := strconv.ParseInt(r.Ref[1:], 10, 64)
			if perr != nil {
				f.Add("formula", "“"+r.Ref+"”不是计量表编号")
				return nil, nil
			}
			err = q.QueryRow(ctx, "SELECT id, org_id, energy_type, role, name, COALESCE(code, '') FROM energy_meters WHERE id = ?", n).
				Scan(&id, &org, &typ, &role, &name, &code)
		} else {
			err = q.QueryRow(ctx, "SELECT id, org_id, energy_type, role, name, COALESCE(code, '') FROM energy_meters WHERE code = ?", r.Ref).
				Scan(&id, &org, &typ, &role, &name, &code)
		}
		switch {
		case db.IsNoRows(err) || (err == nil && org != m.OrgID):
			f.Add("formula", "本单位没有计量表“"+r.Ref+"”")
			return nil, nil
		case err != nil:
			return nil, err
		case id == selfID:
			f.Add("formula", "公式不能包含虚拟表自身")
		case role == RoleVirtual:
			f.Add("formula", "“"+r.Ref+"”是虚拟表：公式只能由实体计量表组成")
		case typ != m.EnergyType:
			f.Add("formula", "“"+r.Ref+"”的能源品种与虚拟表不同")
		case seen[id]:
			f.Add("formula", "“"+r.Ref+"”在公式中出现了两次")
		}
		if f.Has("formula") {
			return nil, nil
		}
		seen[id] = true
		out = append(out, Term{MeterID: id, Sign: r.Sign, Name: name, Code: code})
	}
	return out, nil
}

// loadTerms returns a virtual meter's formula.
func loadTerms(ctx context.Context, q db.Q, meterID int64) ([]Term, error) {
	return db.Select(ctx, q, func(sc db.Scanner) (Term, error) {
		var t Term
		return t, sc.Scan(&t.MeterID, &t.Sign, &t.Name, &t.Code)
	}, `SELECT t.term_id, t.sign, m.name, COALESCE(m.code, '') FROM energy_meter_terms t JOIN energy_meters m ON m.id = t.term_id
		WHERE t.meter_id = ? ORDER BY t.sign DESC, m.id`, meterID)
}

// Formula writes a virtual meter's terms as a formula ("M-01 − M-02"), by code where the meter has one.
func Formula(ts []Term) string {
	var sb strings.Builder
	for i, t := range ts {
		ref := t.Code
		if ref == "" {
			ref = "#" + strconv.FormatInt(t.MeterID, 10)
		}
		switch {
		case i == 0 && t.Sign < 0:
			sb.WriteString("- ")
		case i > 0 && t.Sign < 0:
			sb.WriteString(" - ")
		case i > 0:
			sb.WriteString(" + ")
		}
		sb.WriteString(ref)
	}
	return sb.String()
}

// saveTerms replaces a virtual meter's terms.
func saveTerms(ctx context.Context, q db.Q, meterID int64, ts []Term) error {
	if _, err := q.Exec(ctx, "DELETE FROM energy_meter_terms WHERE meter_id = ?", meterID); err != nil {
		return err
	}
	for _, t := range ts {
		if _, err := q.Exec(ctx, "INSERT INTO energy_meter_terms (meter_id, term_id, sign) VALUES (?, ?, ?)", meterID, t.MeterID, t.Sign); err != nil {
			return err
		}
	}
	return nil
}

// rollupVirtual recomputes a virtual meter's hourly, daily and monthly roll-ups from those of its terms, from the
// hour holding from on (0: all), in the caller's transaction.
func rollupVirtual(ctx context.Context, q db.Q, meterID, from int64) error {
	h0 := HourOf(from)
	d0 := DayOf(h0)
	p0 := PeriodOf(d0).String()
	for _, t := range []struct {
		table, col string
		start      any
	}{
		{"energy_meter_hourly", "hour", h0}, {"energy_meter_daily", "day", d0}, {"energy_meter_monthly", "period", p0},
	} {
		if _, err := q.Exec(ctx, "DELETE FROM "+t.table+" WHERE meter_id = ? AND "+t.col+" >= ?", meterID, t.start); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO "+t.table+" (meter_id, "+t.col+", amount, readings) SELECT ?, r."+t.col+
			", SUM(t.sign * r.amount), SUM(r.readings) FROM "+t.table+" r JOIN energy_meter_terms t ON t.term_id = r.meter_id WHERE t.meter_id = ? AND r."+
			t.col+" >= ? GROUP BY r."+t.col, meterID, meterID, t.start); err != nil {
			return err
		}
	}
	return nil
}

// rollupDependents recomputes the virtual meters whose formulas hold any of the meters just rolled up (meter →
// earliest instant recomputed).
func rollupDependents(ctx context.Context, q db.Q, from map[int64]int64) error {
	if len(from) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(from))
	for id := range from {
		ids = append(ids, id)
	}
	type dep struct{ Virtual, Term int64 }
	deps, err := db.Select(ctx, q, func(sc db.Scanner) (dep, error) {
		var d dep
		return d, sc.Scan(&d.Virtual, &d.Term)
	}, "SELECT meter_id, term_id FROM energy_meter_terms WHERE term_id IN ("+db.In(len(ids))+")", db.Args(ids)...)
	if err != nil || len(deps) == 0 {
		return err
	}
	earliest := map[int64]int64{}
	for _, d := range deps {
		if v, ok := earliest[d.Virtual]; !ok || from[d.Term] < v {
			earliest[d.Virtual] = from[d.Term]
		}
	}
	vs := make([]int64, 0, len(earliest))
	for v := range earliest {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	for _, v := range vs {
		if err := rollupVirtual(ctx, q, v, earliest[v]); err != nil {
			return err
		}
	}
	return nil
}
