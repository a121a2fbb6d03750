package roster

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Record is one exported row: the roster field values, in Columns order by field.
type Record map[string]string

// WriteXLSX writes records as a workbook with the Chinese headers of the given fields. Every
// cell is text (ID numbers keep all 18 characters) and cells that a spreadsheet would run as
// formulas are neutralised with a leading apostrophe (OWASP CSV injection).
func WriteXLSX(w io.Writer, sheetName string, fields []string, records []Record) error {
	f := excelize.NewFile()
	defer f.Close()
	if sheetName == "" {
		sheetName = "名册"
	}
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Color: []string{"F3E5E5"}, Pattern: 1}})
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	for i, field := range fields {
		width := 12.0
		switch field {
		case "id_number":
			width = 22
		case "org", "work_unit", "address", "notes":
			width = 24
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("roster: %w", err)
		}
	}
	head := make([]any, len(fields))
	for i, field := range fields {
		head[i] = excelize.Cell{StyleID: bold, Value: HeaderOf(field)}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	for r, rec := range records {
		row := make([]any, len(fields))
		for i, field := range fields {
			row[i] = excelize.Cell{StyleID: text, Value: Neutralise(rec[field])}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("roster: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	_, err = f.WriteTo(w)
	return err
}

// Neutralise prefixes an apostrophe to text that a spreadsheet would take for a formula.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if s[0] == '-' && len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
			return s
		}
		return "'" + s
	}
	return s
}

// HeaderOf returns the Chinese header of a field.
func HeaderOf(field string) string {
	for _, c := range Columns {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}

// TemplateFields are the columns of the import template, in order.
var TemplateFields = func() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c.Field
	}
	return out
}()

// WriteTemplate writes the import template with one example row.
func WriteTemplate(w io.Writer) error {
	example := Record{"name": "张三", "gender": "男", "ethnicity": "汉族", "id_number": "330681199001011237",
		"phone": "13905750000", "org": "第二支部（珍珠商户）", "stage": "正式党员", "status": "正常", "education": "大学本科",
		"work_unit": "华东国际珠宝城", "post": "经营户", "native_place": "浙江诸暨", "zone": "A区", "booth": "A-101",
		"applied_on": "2012-03-01", "activist_on": "2012-06-01", "target_on": "2013-07-01", "admitted_on": "2014-01-10",
		"full_on": "2015-01-10", "notes": "示例行，导入前请删除"}
	return WriteXLSX(w, "名册", TemplateFields, []Record{example})
}
