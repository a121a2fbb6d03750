package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/xuri/excelize/v2"
)

// BenchmarkImport10000 measures a roster import of 10,000 rows from an XLSX file: parsing,
// the preview's checks, and the job that writes every row with its audit record. The issue
// asks for under 30 seconds. Run: go test ./internal/jobs -run '^$' -bench Import10000 -benchtime 1x
func BenchmarkImport10000(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			data := workbook(b, 10000)
			for b.Loop() {
				b.StopTimer()
				e := setup(b, d)
				b.StartTimer()
				start := time.Now()
				sheet, err := roster.Parse(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				parsed := time.Since(start)
				im, err := e.orgs.PreviewImport(context.Background(), e.admin, e.branch.ID, "big.xlsx", sheet)
				if err != nil || im.ErrorRows != 0 {
					b.Fatalf("preview: %v, %d errors", err, im.ErrorRows)
				}
				previewed := time.Since(start)
				if err := e.orgs.StartImport(context.Background(), e.admin, im.ID); err != nil {
					b.Fatal(err)
				}
				for {
					got, err := e.orgs.Import(context.Background(), e.admin, im.ID)
					if err != nil {
						b.Fatal(err)
					}
					if got.Status == org.ImportDone {
						break
					}
					if got.Status == org.ImportFailed {
						b.Fatalf("import failed: %s", got.Failure)
					}
					time.Sleep(20 * time.Millisecond)
				}
				b.ReportMetric(parsed.Seconds(), "parse-s")
				b.ReportMetric((previewed - parsed).Seconds(), "preview-s")
				b.ReportMetric(time.Since(start).Seconds(), "total-s")
			}
		})
	}
}

// workbook makes an XLSX roster of n people with valid ID numbers and phones.
func workbook(b *testing.B, n int) []byte {
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"姓名", "性别", "身份证号", "手机号", "政治面貌", "入党时间", "转正时间", "区域", "摊位号"})
	for i := 0; i < n; i++ {
		first := fmt.Sprintf("330681%s%03d", time.Date(1960+i%40, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format("20060102"), i%1000)
		id := first + string(pii.IDCheckChar(first))
		gender := "女"
		if (first[16]-'0')%2 == 1 {
			gender = "男"
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		sw.SetRow(cell, []any{fmt.Sprintf("导入%05d", i), gender, id, fmt.Sprintf("139%08d", i), "中共党员", "2010-07-01", "2011-07-01", "A区", fmt.Sprintf("A-%d", i)})
	}
	sw.Flush()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
