package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits of one roster file.
const (
	MaxFileSize = 10 << 20 // bytes uploaded
	MaxRows     = 20000    // data rows
	maxUnzipped = 64 << 20 // total unzipped size of an XLSX
	maxXML      = 32 << 20 // one unzipped XML part
	maxCell     = 2000     // characters in one cell
)

// Errors of Parse, as message keys the web layer translates.
var (
	ErrEmpty      = errors.New("error.import_empty")
	ErrTooLarge   = errors.New("error.import_too_large")
	ErrTooMany    = errors.New("error.import_too_many_rows")
	ErrOldExcel   = errors.New("error.import_xls")
	ErrNotRoster  = errors.New("error.import_format")
	ErrEncoding   = errors.New("error.import_encoding")
	ErrNoName     = errors.New("error.import_no_name_column")
	ErrDuplicated = errors.New("error.import_duplicate_column")
)

// Row is one data row of a roster: its line number in the file (the header is line 1 of
// its sheet), the recognised fields, and problems found while reading the cells.
type Row struct {
	Line     int
	Values   map[string]string // field → cell text, trimmed
	Problems map[string]string // field → message key
}

// Sheet is a parsed roster.
type Sheet struct {
	Rows    []Row
	Ignored []string // headers that matched no column
}

// Parse reads an XLSX or CSV roster. The format is told from the content, not the name.
func Parse(r io.Reader) (*Sheet, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("roster: read: %w", err)
	}
	switch {
	case len(data) > MaxFileSize:
		return nil, ErrTooLarge
	case len(bytes.TrimSpace(data)) == 0:
		return nil, ErrEmpty
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, ErrOldExcel
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseXLSX(data)
	}
	return parseCSV(data)
}

func parseXLSX(data []byte) (sheet *Sheet, err error) {
	// A malformed workbook must not take the server down.
	defer func() {
		if p := recover(); p != nil {
			sheet, err = nil, ErrNotRoster
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxXML})
	if err != nil {
		return nil, ErrNotRoster // not a workbook, encrypted, or over the unzip limits
	}
	defer f.Close()
	name := f.GetSheetName(f.GetActiveSheetIndex())
	if name == "" {
		if list := f.GetSheetList(); len(list) > 0 {
			name = list[0]
		} else {
			return nil, ErrEmpty
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		return nil, ErrNotRoster
	}
	defer rows.Close()
	var header []string
	var fields []string
	var out Sheet
	line := 0
	for rows.Next() {
		line++
		raw, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, ErrNotRoster
		}
		if header == nil {
			if blank(raw) {
				continue
			}
			header = raw
			if fields, err = mapHeader(header, &out); err != nil {
				return nil, err
			}
			continue
		}
		if blank(raw) {
			continue
		}
		if len(out.Rows) >= MaxRows {
			return nil, ErrTooMany
		}
		row := Row{Line: line, Values: map[string]string{}, Problems: map[string]string{}}
		for i, cell := range raw {
			if i >= len(fields) || fields[i] == "" {
				continue
			}
			setCell(&row, fields[i], cell, true)
			if fields[i] == "id_number" && strings.TrimSpace(cell) != "" && row.Problems["id_number"] == "" {
				// A number-typed cell shows 3.30681E+17 in the spreadsheet, and the next save
				// there rounds it: ask for a text column even when the digits survived. A cell
				// without a type attribute is a number in OOXML.
				axis, _ := excelize.CoordinatesToCellName(i+1, line)
				if typ, err := f.GetCellType(name, axis); err == nil && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
					row.Problems["id_number"] = "error.import_id_numeric"
				}
			}
		}
		out.Rows = append(out.Rows, row)
	}
	if err := rows.Error(); err != nil {
		return nil, ErrNotRoster
	}
	if header == nil || len(out.Rows) == 0 {
		return nil, ErrEmpty
	}
	return &out, nil
}

func parseCSV(data []byte) (*Sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, ErrNotRoster
	}
	text := string(data)
	if !utf8.ValidString(text) {
		// Chinese Excel saves "CSV" in GB18030 (GBK): decode it, and refuse bytes that are
		// neither, rather than store mojibake.
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
			return nil, ErrEncoding
		}
		text = string(decoded)
	}
	firstLine := text
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		firstLine = text[:i]
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	switch {
	case strings.Count(firstLine, "\t") > strings.Count(firstLine, ","):
		cr.Comma = '\t'
	case strings.Count(firstLine, ";") > strings.Count(firstLine, ","):
		cr.Comma = ';'
	}
	var out Sheet
	var fields []string
	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, ErrNotRoster
		}
		line++
		if fields == nil {
			if blank(rec) {
				continue
			}
			if fields, err = mapHeader(rec, &out); err != nil {
				return nil, err
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(out.Rows) >= MaxRows {
			return nil, ErrTooMany
		}
		row := Row{Line: line, Values: map[string]string{}, Problems: map[string]string{}}
		for i, cell := range rec {
			if i < len(fields) && fields[i] != "" {
				setCell(&row, fields[i], cell, false)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	if fields == nil || len(out.Rows) == 0 {
		return nil, ErrEmpty
	}
	return &out, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func mapHeader(header []string, out *Sheet) ([]string, error) {
	fields := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		f := FieldOf(h)
		if f == "" {
			if strings.TrimSpace(h) != "" {
				out.Ignored = append(out.Ignored, strings.TrimSpace(h))
			}
			continue
		}
		if seen[f] {
			return nil, ErrDuplicated
		}
		seen[f] = true
		fields[i] = f
	}
	if !seen["name"] {
		return nil, ErrNoName
	}
	return fields, nil
}

var dateFields = map[string]bool{"birth_date": true, "applied_on": true, "activist_on": true, "target_on": true,
	"admitted_on": true, "full_on": true}

// setCell stores one cell, normalising dates and catching what spreadsheets do to numbers:
// an ID number kept as a number has already lost its last digits (3.30681199001011E+17).
func setCell(row *Row, field, cell string, fromXLSX bool) {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return
	}
	if utf8.RuneCountInString(cell) > maxCell {
		row.Problems[field] = "error.too_long"
		return
	}
	if isFormula(cell) {
		row.Problems[field] = "error.import_formula"
		return
	}
	switch {
	case field == "id_number" && looksNumeric(cell):
		row.Problems[field] = "error.import_id_numeric"
		return
	case field == "phone" && strings.ContainsAny(cell, "Ee") && looksNumeric(cell):
		row.Problems[field] = "error.import_id_numeric"
		return
	case dateFields[field]:
		d, ok := ParseDate(cell, fromXLSX)
		if !ok {
			row.Problems[field] = "error.date"
			row.Values[field] = cell
			return
		}
		cell = d
	}
	row.Values[field] = cell
}

// isFormula reports cells that a spreadsheet would run as a formula.
func isFormula(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '@':
		return true
	case '+', '-':
		return len(s) > 1 && !(s[1] >= '0' && s[1] <= '9') && s[1] != ' '
	}
	return false
}

// looksNumeric reports a number in scientific notation or a decimal: what an ID number becomes
// when the spreadsheet column is not text.
func looksNumeric(s string) bool {
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return false
	}
	return strings.ContainsAny(s, "Ee.") || len(s) < 15
}

// ParseDate reads the date forms found in rosters: 2023-07-15, 2023/7/15, 2023.7.15,
// 2023年7月15日, 20230715, and Excel serial day numbers from XLSX cells.
func ParseDate(s string, serialOK bool) (string, bool) {
	s = strings.TrimSpace(s)
	if serialOK {
		if n, err := strconv.ParseFloat(s, 64); err == nil && n > 1 && n < 100000 && !strings.ContainsAny(s, "-/") {
			if t, err := excelize.ExcelDateToTime(n, false); err == nil {
				return t.Format(time.DateOnly), true
			}
		}
	}
	r := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")
	s = r.Replace(s)
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i] // drop a time of day
	}
	for _, layout := range []string{"2006-1-2", "20060102", "2006-1"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return "", false
			}
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}
