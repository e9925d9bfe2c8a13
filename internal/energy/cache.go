package energy

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/num"
)

// The pages and the API ask for the same aggregates again and again (a province's dashboard reads 160,000 rows
// per year), while the figures change in bursts. figureCache keeps computed aggregates per scope, selection and
// span, valid while the version of the year they read (energy_usage_versions, bumped in every transaction that
// writes that year's energy_usage or energy_org_years, in any process) is unchanged, and for at most cacheTTL,
// since edits of a unit's headcount, area, region or category (the spine's tables) bump nothing here. The factors'
// reference data is part of the version too. (energy_meta.usage_version, the single version of the first release,
// is no longer used.)

const (
	cacheTTL   = time.Minute
	cacheLimit = 256
)

type figureCache struct {
	mu    sync.Mutex
	items map[string]cacheItem
	order []string
}

type cacheItem struct {
	version string
	at      time.Time
	val     any
}

// cachedYear returns the value computed by fn for key in the caller's scope, from the cache while the figures of
// year (and the factor datasets) are unchanged: writes of other years (this month's readings) leave it valid.
func cachedYear[T any](ctx context.Context, s *Service, sc auth.Scope, key string, year int, fn func() (T, error)) (T, error) {
	var zero T
	// The year's figures' version and the state of the factor datasets (an override added, ended or revised, a new
	// edition seeded): either changing makes the cached aggregate stale.
	var uv, n, maxID, maxCreated, maxEnded int64
	err := s.DB.QueryRow(ctx, `SELECT COALESCE((SELECT version FROM energy_usage_versions WHERE year = ?), 0), COUNT(*), COALESCE(MAX(id), 0),
		COALESCE(MAX(created_at), 0), COALESCE(MAX(ended_at), 0) FROM refdata_rows WHERE kind IN (?, ?, ?, ?, ?, ?)`,
		year, KindKgce, KindCO2, KindVariant, KindDensity, KindTarget, KindPeriod).Scan(&uv, &n, &maxID, &maxCreated, &maxEnded)
	if err != nil {
		return zero, err
	}
	version := fmt.Sprintf("%d/%d/%d/%d/%d/%d", year, uv, n, maxID, maxCreated, maxEnded)
	k := fmt.Sprintf("%s|%s|%d|%s|%d", key, sc.Kind, sc.OrgID, sc.Path, sc.PersonID)
	c := &s.cache
	c.mu.Lock()
	if it, ok := c.items[k]; ok && it.version == version && time.Since(it.at) < cacheTTL {
		c.mu.Unlock()
		return it.val.(T), nil
	}
	c.mu.Unlock()
	// The kept sums follow changes of units (moves, regions, categories, headcounts) before they are read; when
	// that fails the readers use energy_usage, so the answer is right either way.
	if err := s.reconcileSums(ctx); err != nil {
		s.Log.Warn("energy sums not reconciled", "err", err)
	}
	v, err := fn()
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[string]cacheItem{}
	}
	if _, ok := c.items[k]; !ok {
		c.order = append(c.order, k)
		if len(c.order) > cacheLimit {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.items[k] = cacheItem{version: version, at: time.Now(), val: v}
	return v, nil
}

type progressResult struct {
	P         Progress
	Cur, Prev Trend
}

// progressCached is progressAndTrends with each year's part (the year, the previous year, the baseline year)
// through the cache by that year's version: new figures of this year leave last year's and 2020's parts cached.
func (s *Service) progressCached(ctx context.Context, sc auth.Scope, sel Selection, span Span, trends bool) (progressResult, error) {
	part := func(sp Span, trend bool, compute func() (yearPart, error)) (yearPart, error) {
		return cachedYear(ctx, s, sc, fmt.Sprintf("year|%+v|%+v|%t", sel, sp, trend), sp.Year, compute)
	}
	p, cur, prev, err := progressAndTrends(ctx, s.DB, sc, sel, span, trends, part)
	return progressResult{p, cur, prev}, err
}

// computeCached is Compute through the cache.
func (s *Service) computeCached(ctx context.Context, sc auth.Scope, sel Selection, span Span) (Indicators, error) {
	return cachedYear(ctx, s, sc, fmt.Sprintf("compute|%+v|%+v", sel, span), span.Year, func() (Indicators, error) {
		return Compute(ctx, s.DB, sc, sel, span, nil)
	})
}

// unitFiguresCached is UnitFigures through the cache (callers must not modify the result).
func (s *Service) unitFiguresCached(ctx context.Context, sc auth.Scope, sel Selection, span Span) ([]UnitFigure, error) {
	return cachedYear(ctx, s, sc, fmt.Sprintf("units|%+v|%+v", sel, span), span.Year, func() ([]UnitFigure, error) {
		return UnitFigures(ctx, s.DB, sc, sel, span, nil)
	})
}

// rankingsCached is Rankings through the cache (callers must not modify the result).
func (s *Service) rankingsCached(ctx context.Context, sc auth.Scope, sel Selection, span Span, indicator string) ([]RankItem, error) {
	return cachedYear(ctx, s, sc, fmt.Sprintf("rank|%+v|%+v|%s", sel, span, indicator), span.Year, func() ([]RankItem, error) {
		return Rankings(ctx, s.DB, sc, sel, span, indicator)
	})
}

// withBaseline copies a ranking (the cached one stays as it is) with each unit's change of the indicator against
// the base year of the span's plan period (docs/domain/energy.md §Plan periods), over the same months.
func (s *Service) withBaseline(ctx context.Context, sc auth.Scope, sel Selection, span Span, indicator string, items []RankItem) ([]RankItem, PlanPeriod, error) {
	f, err := LoadFactors(ctx, s.DB, span.Year)
	if err != nil {
		return nil, PlanPeriod{}, err
	}
	plan, ok := f.Period(span.Year, sel.RegionCode)
	out := append([]RankItem(nil), items...)
	if !ok || plan.BaseYear < minYear || plan.BaseYear >= span.Year {
		return out, plan, nil
	}
	base := span
	base.Year = plan.BaseYear
	units, err := s.unitFiguresCached(ctx, sc, sel, base)
	if err != nil {
		return nil, plan, err
	}
	byOrg := make(map[int64]float64, len(units))
	for _, u := range units {
		byOrg[u.OrgID] = u.Value(indicator)
	}
	for i := range out {
		if b := byOrg[out[i].OrgID]; b > 0 {
			out[i].Baseline, out[i].VsBaseline, out[i].HasBase = b, num.Round(out[i].Value/b-1, 4), true
		}
	}
	return out, plan, nil
}
