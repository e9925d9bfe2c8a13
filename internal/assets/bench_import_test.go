package assets_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/assets"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/xlsx"
)

// BenchmarkAssetImport (docs/benchmarks.md §Assets) imports a workbook of GOVOPS_BENCH_IMPORT rows (default
// 100,000) in the template's columns over the demo province's units: reading the workbook, the trial run
// (dry_run: every row validated, nothing written) and the import itself, each timed; the whole is one op.
func BenchmarkAssetImport(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("GOVOPS_BENCH_IMPORT")); err == nil && v > 0 {
		n = v
	}
	env := apptest.New(b, apptest.Options{Demo: true})
	ctx := context.Background()
	svc := benchService(b, env)
	units := []string{"松岭县教育局", "松岭县机关事务服务中心", "示范省财政厅", "青山市机关事务管理局"}
	classes := []string{"A02010105", "A02010108", "A02021000", "A05010201", "A05010301", "A05010502"}
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	head := make([]any, len(assets.ImportColumns))
	for i, c := range assets.ImportColumns {
		head[i] = c.Header
	}
	if err := sw.SetRow("A1", head); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		row := []any{units[i%len(units)], "办公设备" + strconv.Itoa(i), classes[i%len(classes)], strconv.Itoa(1000 + i%5000),
			fmt.Sprintf("%04d-%02d-%02d", 2012+i%13, 1+i%12, 1+i%28), "新购", "品牌", "型号", "1", "", "办公室", "3 号楼", "", ""}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	b.Logf("workbook: %d rows, %.1f MB", n, float64(buf.Len())/1e6)
	sc := auth.Everything()
	for b.Loop() {
		t0 := time.Now()
		rows, err := xlsx.Read(bytes.NewReader(buf.Bytes()), assets.ImportColumns)
		if err != nil || len(rows) != n {
			b.Fatal(err, len(rows))
		}
		t1 := time.Now()
		rep, err := svc.ImportAssets(ctx, sc, rows, true)
		if err != nil || !rep.OK() || rep.Created != n {
			b.Fatal(err, rep.Created, rep.Errors[:min(3, len(rep.Errors))])
		}
		t2 := time.Now()
		rep, err = svc.ImportAssets(ctx, sc, rows, false)
		if err != nil || !rep.OK() || rep.Created != n {
			b.Fatal(err, rep.Created)
		}
		t3 := time.Now()
		b.Logf("read %v, trial run %v, import %v, total %v", t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond),
			t3.Sub(t2).Round(time.Millisecond), t3.Sub(t0).Round(time.Millisecond))
	}
}

func benchService(b *testing.B, env *apptest.Env) *assets.Service {
	s, ok := module.Find[*assets.Service](env.App.Modules)
	if !ok {
		b.Fatal("no assets module")
	}
	return s
}
