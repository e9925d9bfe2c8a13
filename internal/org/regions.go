package org

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/govops/govops/internal/platform/db"
)

// Region is an administrative division (GB/T 2260 style 6-digit code).
type Region struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      int    `json:"level"` // 1 province, 2 prefecture, 3 county
	ParentCode string `json:"parent_code,omitempty"`
	FullName   string `json:"full_name"`
}

func pad6(code string) string { return code + strings.Repeat("0", 6-len(code)) }

// LoadRegions returns the national division codes embedded in the binary.
func LoadRegions() ([]Region, error) {
	read := func(name string) ([][]string, error) {
		f, err := regionsFS.Open("data/admin-divisions-cn/" + name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return rows[1:], nil
	}
	provs, err := read("provinces.csv")
	if err != nil {
		return nil, err
	}
	cities, err := read("cities.csv")
	if err != nil {
		return nil, err
	}
	areas, err := read("areas.csv")
	if err != nil {
		return nil, err
	}
	full := map[string]string{}
	var out []Region
	for _, r := range provs {
		c := pad6(r[0])
		full[c] = r[1]
		out = append(out, Region{Code: c, Name: r[1], Level: 1, FullName: r[1]})
	}
	for _, r := range cities {
		c, p := pad6(r[0]), pad6(r[2])
		name := r[1]
		fn := full[p] + name
		if name == "市辖区" || name == "县" || name == "省直辖县级行政区划" || name == "自治区直辖县级行政区划" {
			fn = full[p]
		}
		full[c] = fn
		out = append(out, Region{Code: c, Name: name, Level: 2, ParentCode: p, FullName: fn})
	}
	for _, r := range areas {
		c, p := r[0], pad6(r[2])
		out = append(out, Region{Code: c, Name: r[1], Level: 3, ParentCode: p, FullName: full[p] + r[1]})
	}
	return out, nil
}

// SeedRegions loads the division codes into an empty regions table (idempotent).
func SeedRegions(ctx context.Context, d *db.DB) (int, error) {
	n, err := db.Count(ctx, d, "SELECT COUNT(*) FROM regions WHERE code NOT LIKE '99%'")
	if err != nil || n > 0 {
		return 0, err
	}
	regions, err := LoadRegions()
	if err != nil {
		return 0, err
	}
	err = d.Tx(ctx, func(q db.Q) error { return InsertRegions(ctx, q, regions) })
	return len(regions), err
}

// InsertRegions adds regions in batches, skipping codes that exist.
func InsertRegions(ctx context.Context, q db.Q, regions []Region) error {
	const batch = 200
	for i := 0; i < len(regions); i += batch {
		chunk := regions[i:min(i+batch, len(regions))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO regions (code, name, level, parent_code, full_name) VALUES ")
		args := make([]any, 0, len(chunk)*5)
		for j, r := range chunk {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, r.Code, r.Name, r.Level, db.NullStr(r.ParentCode), r.FullName)
		}
		sb.WriteString(" ON CONFLICT (code) DO NOTHING")
		if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// SearchRegions finds regions by code prefix or name, or lists a parent's children.
func SearchRegions(ctx context.Context, q db.Q, parent, text string, limit int) ([]Region, error) {
	scan := func(s db.Scanner) (Region, error) {
		var r Region
		var p *string
		err := s.Scan(&r.Code, &r.Name, &r.Level, &p, &r.FullName)
		if p != nil {
			r.ParentCode = *p
		}
		return r, err
	}
	const cols = "SELECT code, name, level, parent_code, full_name FROM regions"
	switch {
	case text != "":
		return db.Select(ctx, q, scan, cols+" WHERE code LIKE ? ESCAPE '\\' OR full_name LIKE ? ESCAPE '\\' ORDER BY level, code LIMIT ?",
			db.LikePrefix(text), db.LikeContains(text), limit)
	case parent != "":
		return db.Select(ctx, q, scan, cols+" WHERE parent_code = ? ORDER BY code LIMIT ?", parent, limit)
	}
	return db.Select(ctx, q, scan, cols+" WHERE level = 1 ORDER BY code LIMIT ?", limit)
}

// RegionName returns the full name of a code ("" when unknown).
func RegionName(ctx context.Context, q db.Q, code string) string {
	var n string
	if err := q.QueryRow(ctx, "SELECT full_name FROM regions WHERE code = ?", code).Scan(&n); err != nil {
		return ""
	}
	return n
}
