package fleet

import (
	"context"
	"sync"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/refdata"
)

// Reference data kinds of the module (docs/domain/README.md §Reference datasets in the code).
const (
	KindCaps  = "fleet.caps"  // price and displacement standards by "<category>/<body>" (中办发〔2017〕71号 第十条)
	KindRules = "fleet.rules" // renewal years, new-energy share, renewal mileage
)

// Datasets are the module's reference data files, registered with the reference-data kit at wiring.
func Datasets() []refdata.Dataset { return []refdata.Dataset{embeddedCaps(), embeddedRules()} }

var (
	embeddedCaps  = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/caps.json") })
	embeddedRules = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/rules.csv") })
)

// Standards are the caps and rules in force on one date.
type Standards struct {
	Date  string
	caps  *refdata.Table
	rules *refdata.Table
}

// LoadStandards loads the standards in force on date.
func LoadStandards(ctx context.Context, q db.Q, date string) (*Standards, error) {
	caps, err := refdata.LoadTable(ctx, q, KindCaps, date)
	if err != nil {
		return nil, err
	}
	rules, err := refdata.LoadTable(ctx, q, KindRules, date)
	if err != nil {
		return nil, err
	}
	return &Standards{Date: date, caps: caps, rules: rules}, nil
}

// CapRow returns the cap stored under key for a unit of region, with its row (for the source).
func (st *Standards) CapRow(key, region string) (Cap, refdata.Row, bool) {
	r, ok := st.caps.Lookup(key, region)
	if !ok {
		return Cap{}, r, false
	}
	var c Cap
	if err := r.Decode(&c); err != nil {
		return Cap{}, r, false
	}
	return c, r, true
}

// Rule returns a number of fleet.rules for region with its row; ok is false when the row is missing.
func (st *Standards) Rule(key, region string) (float64, refdata.Row, bool) {
	r, ok := st.rules.Lookup(key, region)
	return r.Value, r, ok
}
