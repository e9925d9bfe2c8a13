package assets

import (
	"context"
	"regexp"
	"sync"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/refdata"
)

// Reference data kinds of the module (docs/domain/README.md §Reference datasets in the code).
const (
	KindClasses = "asset.classes" // GB/T 14885-2022 classes: code → {"name"}
	KindLives   = "asset.lives"   // minimum depreciation lives in years by class prefix (财会〔2017〕4号 表1)
)

// Datasets are the module's reference data files, registered with the reference-data kit at wiring.
func Datasets() []refdata.Dataset {
	return []refdata.Dataset{embeddedClasses(), embeddedLives(), embeddedStandards()}
}

var (
	embeddedClasses = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/classes.json") })
	embeddedLives   = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/lives.csv") })
)

// classRe is the shape of a GB/T 14885-2022 code: a letter and eight digits, two per level.
var classRe = regexp.MustCompile(`^[A-Z][0-9]{8}$`)

// Ancestors lists a class code and its upper levels, most specific first: A02010105 → A02010105, A02010100,
// A02010000, A02000000 (the levels of docs/domain/assets.md §Classification).
func Ancestors(code string) []string {
	if !classRe.MatchString(code) {
		return nil
	}
	out := []string{code}
	b := []byte(code)
	for i := len(b) - 2; i >= 3; i -= 2 {
		if b[i] == '0' && b[i+1] == '0' {
			continue
		}
		b[i], b[i+1] = '0', '0'
		out = append(out, string(b))
	}
	return out
}

// Class is a class of the table in force.
type Class struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Catalog is the class table and the minimum lives in force on one date.
type Catalog struct {
	Date    string
	classes *refdata.Table
	lives   *refdata.Table
}

// LoadCatalog loads the classes and lives in force on date.
func LoadCatalog(ctx context.Context, q db.Q, date string) (*Catalog, error) {
	c, err := refdata.LoadTable(ctx, q, KindClasses, date)
	if err != nil {
		return nil, err
	}
	l, err := refdata.LoadTable(ctx, q, KindLives, date)
	if err != nil {
		return nil, err
	}
	return &Catalog{Date: date, classes: c, lives: l}, nil
}

// Class returns the class named code for a unit of region; ok is false for a code not in the table.
func (c *Catalog) Class(code, region string) (Class, bool) {
	r, ok := c.classes.Lookup(code, region)
	if !ok {
		return Class{}, false
	}
	var v struct {
		Name string `json:"name"`
	}
	if err := r.Decode(&v); err != nil {
		return Class{}, false
	}
	return Class{Code: code, Name: v.Name}, true
}

// Classes lists the table for region, by code.
func (c *Catalog) Classes(region string) []Class {
	var out []Class
	for _, k := range c.classes.Keys() {
		if cl, ok := c.Class(k, region); ok {
			out = append(out, cl)
		}
	}
	return out
}

// MinLifeMonths is the minimum depreciation life of a class in months: the row of its most specific level that has
// one; ok is false when no level has a row (the card must then name its life).
func (c *Catalog) MinLifeMonths(code, region string) (months int, row refdata.Row, ok bool) {
	for _, a := range Ancestors(code) {
		if r, found := c.lives.Lookup(a, region); found && r.Value > 0 {
			return int(r.Value*12 + 0.5), r, true
		}
	}
	return 0, refdata.Row{}, false
}

// checkClass validates a class code against the table (422 naming field for an unknown one).
func (c *Catalog) checkClass(f errs.Fields, field, code, region string) (Class, bool) {
	if code == "" {
		f.Add(field, "请填写资产分类代码")
		return Class{}, false
	}
	if !classRe.MatchString(code) {
		f.Add(field, "资产分类代码应为 1 个大写字母加 8 位数字（GB/T 14885-2022），如 A02010105")
		return Class{}, false
	}
	cl, ok := c.Class(code, region)
	if !ok {
		f.Add(field, "分类代码 "+code+" 不在资产分类表（GB/T 14885-2022）中")
	}
	return cl, ok
}
