package roster

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestTemplateRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	sheet, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet.Rows) != 1 || len(sheet.Ignored) != 0 {
		t.Fatalf("rows = %d, ignored = %v", len(sheet.Rows), sheet.Ignored)
	}
	r := sheet.Rows[0]
	if r.Values["id_number"] != "330681199001011237" || r.Values["admitted_on"] != "2014-01-10" || r.Values["name"] != "张三" || r.Line != 2 {
		t.Fatalf("row = %+v", r)
	}
	if len(r.Problems) != 0 {
		t.Fatalf("problems = %v", r.Problems)
	}
}

func TestCSVEncodings(t *testing.T) {
	text := "姓名,身份证号,手机号,政治面貌,入党时间\r\n李四,330681199001011245,139 0575 0001,中共党员,2015年7月1日\r\n王五,,,,2016/7/1\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"utf8": text, "utf8-bom": "\ufeff" + text, "gbk": gbk} {
		sheet, err := Parse(strings.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(sheet.Rows) != 2 || sheet.Rows[0].Values["name"] != "李四" || sheet.Rows[0].Values["admitted_on"] != "2015-07-01" ||
			sheet.Rows[1].Values["admitted_on"] != "2016-07-01" {
			t.Fatalf("%s: rows = %+v", name, sheet.Rows)
		}
	}
	// Bytes that are neither UTF-8 nor GBK are refused, not stored as mojibake.
	broken := []byte(gbk)
	broken = append(broken[:10:10], append([]byte{0xFF, 0xFF, 0x81}, broken[10:]...)...)
	if _, err := Parse(bytes.NewReader(broken)); !errors.Is(err, ErrEncoding) {
		t.Fatalf("broken GBK: err = %v", err)
	}
}

func TestBadRows(t *testing.T) {
	csvText := "Name,ID Number,Phone,Birth date,Notes,Favourite colour\n" +
		"A,3.30681199001011E+17,13905750002,1990-13-01,\"=HYPERLINK(\"\"http://x\"\",\"\"点击\"\")\",red\n" +
		"B,330681199001011237,+86 139 0575 0003,1990-01-01,-5 分,blue\n"
	sheet, err := Parse(strings.NewReader(csvText))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sheet.Ignored) != "[Favourite colour]" {
		t.Fatalf("ignored = %v", sheet.Ignored)
	}
	a, b := sheet.Rows[0], sheet.Rows[1]
	if a.Problems["id_number"] != "error.import_id_numeric" || a.Problems["birth_date"] != "error.date" || a.Problems["notes"] != "error.import_formula" {
		t.Fatalf("row A problems = %v", a.Problems)
	}
	if len(b.Problems) != 0 || b.Values["notes"] != "-5 分" {
		t.Fatalf("row B = %+v", b)
	}
}

func TestRefusedFiles(t *testing.T) {
	big := strings.Repeat("x", MaxFileSize+1)
	many := "姓名\n" + strings.Repeat("某\n", MaxRows+1)
	tests := map[string]struct {
		data string
		want error
	}{
		"empty":            {"", ErrEmpty},
		"header only":      {"姓名,手机号\n", ErrEmpty},
		"too large":        {big, ErrTooLarge},
		"too many rows":    {many, ErrTooMany},
		"xls":              {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", ErrOldExcel},
		"no name column":   {"手机号\n13905750000\n", ErrNoName},
		"duplicate column": {"姓名,名字\n甲,乙\n", ErrDuplicated},
		"broken zip":       {"PK\x03\x04garbage", ErrNotRoster},
		"zip bomb":         {zipBomb(t), ErrNotRoster},
	}
	for name, tt := range tests {
		if _, err := Parse(strings.NewReader(tt.data)); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tt.want)
		}
	}
}

// zipBomb is an XLSX-looking zip whose sheet unzips to far more than the limit.
func zipBomb(t *testing.T) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f := excelize.NewFile()
	var wb bytes.Buffer
	f.WriteTo(&wb)
	zr, _ := zip.NewReader(bytes.NewReader(wb.Bytes()), int64(wb.Len()))
	for _, entry := range zr.File {
		w, _ := zw.Create(entry.Name)
		if entry.Name == "xl/worksheets/sheet1.xml" {
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for i := 0; i < maxUnzipped>>20+8; i++ {
				w.Write(chunk)
			}
			continue
		}
		r, _ := entry.Open()
		var b bytes.Buffer
		b.ReadFrom(r)
		w.Write(b.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "+cmd": "'+cmd", "-5": "-5", "张三": "张三", "": ""} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	var tmpl bytes.Buffer
	WriteTemplate(&tmpl)
	f.Add(tmpl.Bytes())
	f.Add([]byte("姓名,身份证号\n张三,330681199001011237\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sheet, err := Parse(bytes.NewReader(data))
		if err == nil && len(sheet.Rows) > MaxRows {
			t.Fatalf("%d rows accepted", len(sheet.Rows))
		}
	})
}

// TestXLSXCells: an ID number typed as a number is refused with a row error, a date cell is
// read from its serial number, and a formula gives its value, never the formula.
func TestXLSXCells(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号", "入党时间", "备注"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"甲", 330681199001011237, 45122, "文字"})
	f.SetCellFormula("Sheet1", "D2", `HYPERLINK("http://x","点击")`)
	f.SetCellValue("Sheet1", "D2", "点击")
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "C2", "C2", style)
	f.SetSheetRow("Sheet1", "A3", &[]any{"乙", "330681199001011237", "2015-07-01"})
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	sheet, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	a, b := sheet.Rows[0], sheet.Rows[1]
	if a.Problems["id_number"] != "error.import_id_numeric" || a.Values["admitted_on"] != "2023-07-15" {
		t.Fatalf("row 2 = %+v", a)
	}
	if strings.Contains(a.Values["notes"], "HYPERLINK") {
		t.Fatalf("formula imported: %q", a.Values["notes"])
	}
	if len(b.Problems) != 0 || b.Values["id_number"] != "330681199001011237" {
		t.Fatalf("row 3 = %+v", b)
	}
}
