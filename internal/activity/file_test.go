package activity_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	return img
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, gradient(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, gradient(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withOrientation inserts an EXIF block with the given orientation after a JPEG's start
// marker, as phones write it for photos taken upright.
func withOrientation(jpg []byte, orientation byte) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08" + // big-endian TIFF header, IFD0 at 8
		"\x00\x01" + // one entry
		"\x01\x12\x00\x03\x00\x00\x00\x01\x00" + string([]byte{orientation}) + "\x00\x00" + // Orientation, SHORT, 1
		"\x00\x00\x00\x00") // no next IFD
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	n := len(app1) + 2
	out := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, byte(n >> 8), byte(n)}, app1...)
	return append(out, jpg[2:]...)
}

// webpBytes is a 1×1 lossless WebP.
var webpBytes = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// officeBytes builds a minimal Office Open XML package whose [Content_Types].xml declares
// mainType for partName, with the given parts present.
func officeBytes(t testing.TB, mainType, partName string, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("[Content_Types].xml")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/%s" ContentType="%s"/></Types>`, partName, mainType)
	for _, p := range parts {
		w, err := zw.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	docxMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	xlsxMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	pptxMain = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
	docmMain = "application/vnd.ms-word.document.macroEnabled.main+xml"
)

func TestSniffType(t *testing.T) {
	brokenPNG := append([]byte(nil), pngBytes(t, 32, 32)[:60]...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"png", pngBytes(t, 8, 8), activity.TypePNG},
		{"jpeg", jpegBytes(t, 8, 8), activity.TypeJPEG},
		{"webp", webpBytes, activity.TypeWebP},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), activity.TypeGIF},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), activity.TypePDF},
		{"docx", officeBytes(t, docxMain, "word/document.xml", "word/document.xml"), activity.TypeDOCX},
		{"xlsx", officeBytes(t, xlsxMain, "xl/workbook.xml", "xl/workbook.xml"), activity.TypeXLSX},
		{"pptx", officeBytes(t, pptxMain, "ppt/presentation.xml", "ppt/presentation.xml"), activity.TypePPTX},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), ""},
		{"html after whitespace", []byte("\n\n  <html><body onload=alert(1)>"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"text", []byte("会议纪要"), ""},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), ""},
		{"png signature, broken header", []byte("\x89PNG\r\n\x1a\n<html><script>alert(1)</script>"), ""},
		{"truncated png keeps its header", brokenPNG, activity.TypePNG}, // refused later, when it does not decode
		{"plain zip", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("a.txt")
			w.Write([]byte("a"))
			zw.Close()
			return buf.Bytes()
		}(), ""},
		{"docx without its main part", officeBytes(t, docxMain, "word/document.xml"), ""},
		{"macro-enabled docm", officeBytes(t, docmMain, "word/document.xml", "word/document.xml"), ""},
		{"docx carrying macros", officeBytes(t, docxMain, "word/document.xml", "word/document.xml", "word/vbaProject.bin"), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		got, err := activity.SniffType(tt.data)
		if got != tt.want || (tt.want == "") != errors.Is(err, activity.ErrFileType) {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestSanitizeFileName(t *testing.T) {
	long := strings.Repeat("长", 150) + ".jpg"
	tests := []struct{ in, want string }{
		{"../../x.jpg", "x.jpg"},
		{`..\..\windows\x.jpg`, "x.jpg"},
		{"/etc/passwd", "passwd"},
		{"合影 2023-07-16.JPG", "合影 2023-07-16.JPG"},
		{"a\x00b\nc\td.png", "ab c d.png"},
		{"photo\u202egpj.exe", "photogpj.exe"}, // the right-to-left override is gone
		{"  ..hidden.  ", "hidden"},
		{`a<b>c:"d"|e?f*.pdf`, "a_b_c__d__e_f_.pdf"},
		{"bad\xffutf8.pdf", "badutf8.pdf"},
		{"..", ""},
		{"", ""},
		{long, strings.Repeat("长", activity.MaxFileName-4) + ".jpg"},
	}
	for _, tt := range tests {
		if got := activity.SanitizeFileName(tt.in); got != tt.want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSanitizeFileName: whatever comes in, what goes out has no path, no control or
// formatting character, is valid UTF-8, within the length, and stable.
func FuzzSanitizeFileName(f *testing.F) {
	for _, s := range []string{"../../x.jpg", `C:\x\y.png`, "a\u202eb", "..", " . ", strings.Repeat("a", 300) + ".pdf", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := activity.SanitizeFileName(in)
		if !utf8.ValidString(got) || strings.ContainsAny(got, "/\\<>:\"|?*") || utf8.RuneCountInString(got) > activity.MaxFileName {
			t.Fatalf("SanitizeFileName(%q) = %q", in, got)
		}
		if strings.HasPrefix(got, ".") || strings.HasSuffix(got, ".") || strings.TrimSpace(got) != got {
			t.Fatalf("SanitizeFileName(%q) = %q: leading or trailing dot or space", in, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("SanitizeFileName(%q) = %q: keeps %U", in, got, r)
			}
		}
		if again := activity.SanitizeFileName(got); again != got {
			t.Fatalf("not stable: %q → %q → %q", in, got, again)
		}
	})
}

// FuzzSniffType: the sniffer never panics, and what it accepts is one of the accepted types
// and never starts like markup.
func FuzzSniffType(f *testing.F) {
	f.Add(pngBytes(f, 4, 4))
	f.Add(jpegBytes(f, 4, 4))
	f.Add(webpBytes)
	f.Add([]byte("%PDF-1.4"))
	f.Add(officeBytes(f, docxMain, "word/document.xml", "word/document.xml"))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, err := activity.SniffType(data)
		if err != nil {
			return
		}
		switch ct {
		case activity.TypeJPEG, activity.TypePNG, activity.TypeGIF, activity.TypeWebP, activity.TypePDF,
			activity.TypeDOCX, activity.TypeXLSX, activity.TypePPTX:
		default:
			t.Fatalf("accepted %q", ct)
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			t.Fatalf("accepted markup as %s", ct)
		}
	})
}

func TestMarkdownIsSanitised(t *testing.T) {
	tests := []struct{ in, want, notWant string }{
		{"## 决议\n1. 开展走访", "<h2>决议</h2>", ""},
		{"第一行\n第二行", "第一行<br>", ""},
		{"<script>alert(1)</script>", "", "<script"},
		{"[点我](javascript:alert(1))", "", "javascript:"},
		{`<img src=x onerror=alert(1)>`, "", "onerror"},
		{"![x](http://e.example/a.png \"t\")", "", "onerror"},
	}
	for _, tt := range tests {
		got := activity.MarkdownHTML(tt.in)
		if tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("MarkdownHTML(%q) = %q, want it to contain %q", tt.in, got, tt.want)
		}
		if tt.notWant != "" && strings.Contains(got, tt.notWant) {
			t.Errorf("MarkdownHTML(%q) = %q, must not contain %q", tt.in, got, tt.notWant)
		}
	}
}

func TestUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		act := e.recordTrip(t)
		sec, member := e.actors["secretary"], e.actors["member"]
		up := func(name string, data []byte) activity.Upload { return activity.Upload{Name: name, Data: data} }
		refused := []struct {
			name string
			up   activity.Upload
			key  string
		}{
			{"wrong type", up("纪要.txt", []byte("会议纪要：……")), "error.file_type"},
			{"11 MB", up("big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 11<<20)...)), "error.file_too_large"},
			{"empty", up("a.png", nil), "error.file_empty"},
			{"HTML disguised as a photo", up("photo.jpg", []byte("<html><script>alert(document.cookie)</script></html>")), "error.file_type"},
			{"photo that does not decode", up("x.png", pngBytes(t, 64, 64)[:80]), "error.image_broken"},
			{"SVG", up("logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)), "error.file_type"},
		}
		for _, tt := range refused {
			_, err := e.svc.AddFiles(ctx, member, act.ID, []activity.Upload{tt.up}, "")
			if got := keyOf(err); got != tt.key {
				t.Errorf("%s: %q (%v), want %q", tt.name, got, err, tt.key)
			}
		}
		// All or nothing: one bad file refuses the others with it.
		if _, err := e.svc.AddFiles(ctx, member, act.ID, []activity.Upload{up("ok.png", pngBytes(t, 9, 9)), up("bad.txt", []byte("x"))}, ""); err == nil {
			t.Error("a batch with a bad file was taken")
		}
		if _, err := e.svc.AddFiles(ctx, e.actors["inspector"], act.ID, []activity.Upload{up("a.png", pngBytes(t, 9, 9))}, ""); !errors.Is(err, apperr.ErrDenied) {
			t.Errorf("viewer uploads: %v", err)
		}
		if _, err := e.svc.AddFiles(ctx, e.actors["firstsec"], act.ID, []activity.Upload{up("a.png", pngBytes(t, 9, 9))}, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other branch uploads: %v", err)
		}

		added, err := e.svc.AddFiles(ctx, member, act.ID, []activity.Upload{
			{Name: "../../合影.jpg", Data: pngBytes(t, 1200, 800), Caption: "在纪念馆前合影"}, // a PNG named .jpg
			up("议程.docx", officeBytes(t, docxMain, "word/document.xml", "word/document.xml")),
			up("路线", []byte("%PDF-1.4\n%%EOF\n")),
			up("南尖岩.jpeg", jpegBytes(t, 300, 600)),
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(added) != 4 {
			t.Fatalf("added %d files", len(added))
		}
		wantNames := []string{"合影.png", "议程.docx", "路线.pdf", "南尖岩.jpeg"}
		for i, f := range added {
			if f.Name != wantNames[i] {
				t.Errorf("file %d stored as %q, want %q", i, f.Name, wantNames[i])
			}
		}
		photo := added[0]
		if photo.ContentType != activity.TypePNG || !photo.HasThumb || photo.Width != 1200 || photo.Height != 800 || photo.Caption != "在纪念馆前合影" {
			t.Errorf("photo = %+v", photo)
		}
		th, err := e.svc.File(ctx, sec, act.ID, photo.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(th.Thumb))
		if err != nil || format != "jpeg" || cfg.Width != activity.ThumbSize || cfg.Height != 320 {
			t.Errorf("thumbnail: %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
		}
		// A portrait phone photo stored sideways (EXIF orientation 6) gets an upright thumbnail.
		upright, err := e.svc.AddFiles(ctx, member, act.ID, []activity.Upload{up("竖拍.jpg", withOrientation(jpegBytes(t, 600, 300), 6))}, "")
		if err != nil || len(upright) != 1 || upright[0].Width != 300 || upright[0].Height != 600 {
			t.Fatalf("portrait photo: %+v, %v", upright, err)
		}
		if th, err := e.svc.File(ctx, sec, act.ID, upright[0].ID, true); err != nil {
			t.Error(err)
		} else if cfg, _, err := image.DecodeConfig(bytes.NewReader(th.Thumb)); err != nil || cfg.Width != 240 || cfg.Height != activity.ThumbSize {
			t.Errorf("portrait thumbnail %dx%d, %v", cfg.Width, cfg.Height, err)
		}
		if err := e.svc.DeleteFile(ctx, member, act.ID, upright[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.File(ctx, sec, act.ID, added[1].ID, true); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("thumbnail of a document: %v", err)
		}
		full, err := e.svc.File(ctx, member, act.ID, added[1].ID, false)
		if err != nil || full.ContentType != activity.TypeDOCX || int64(len(full.Data)) != full.Size {
			t.Errorf("document: %+v, %v", full, err)
		}
		// Downloads follow the record: not for the other branch, not for a participant
		// before approval.
		if _, err := e.svc.File(ctx, e.actors["firstsec"], act.ID, photo.ID, false); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other branch downloads: %v", err)
		}
		guest := e.participant(t, act)
		if _, err := e.svc.File(ctx, guest, act.ID, photo.ID, true); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("participant downloads from a draft: %v", err)
		}
		// The same bytes again are skipped, not stored twice.
		again, err := e.svc.AddFiles(ctx, member, act.ID, []activity.Upload{up("copy.png", pngBytes(t, 1200, 800))}, "")
		if err != nil || len(again) != 0 {
			t.Errorf("duplicate: %d added, %v", len(again), err)
		}
		// At most MaxFiles per activity.
		var many []activity.Upload
		for i := 0; i < activity.MaxFiles-len(added)+1; i++ {
			many = append(many, up(fmt.Sprintf("%d.pdf", i), []byte(fmt.Sprintf("%%PDF-1.4\n%d\n", i))))
		}
		if _, err := e.svc.AddFiles(ctx, member, act.ID, many, ""); keyOf(err) != "error.too_many_files" {
			t.Errorf("beyond %d files: %v", activity.MaxFiles, err)
		}
		if _, err := e.svc.AddFiles(ctx, member, act.ID, many[1:], ""); err != nil {
			t.Errorf("up to %d files: %v", activity.MaxFiles, err)
		}
		if err := e.svc.DeleteFile(ctx, member, act.ID, added[2].ID); err != nil {
			t.Errorf("delete from a draft: %v", err)
		}

		// Approved: files stay, and adding one is an amendment with a reason.
		r, err := e.svc.SaveRecord(ctx, member, act.ID, activity.RecordText{Minutes: "纪要"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SubmitRecord(ctx, member, act.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddFiles(ctx, member, act.ID, []activity.Upload{up("late.png", pngBytes(t, 5, 5))}, ""); keyOf(err) != "error.record_submitted" {
			t.Errorf("upload while submitted: %v", err)
		}
		if err := e.svc.ApproveRecord(ctx, sec, act.ID, r.Version+1); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteFile(ctx, sec, act.ID, added[0].ID); keyOf(err) != "error.record_locked" {
			t.Errorf("delete from an approved record: %v", err)
		}
		if _, err := e.svc.File(ctx, guest, act.ID, photo.ID, true); err != nil {
			t.Errorf("participant downloads from the approved record: %v", err)
		}
		late := []activity.Upload{up("补充.png", pngBytes(t, 5, 5))}
		if _, err := e.svc.AddFiles(ctx, member, act.ID, late, "补拍"); !errors.Is(err, apperr.ErrDenied) {
			t.Errorf("recorder adds to an approved record: %v", err)
		}
		if _, err := e.svc.AddFiles(ctx, sec, act.ID, late, " "); keyOf(err) != "error.required" {
			t.Errorf("addition to an approved record without reason: %v", err)
		}
		if got, err := e.svc.AddFiles(ctx, sec, act.ID, late, "补充活动合影"); err != nil || len(got) != 1 {
			t.Fatalf("addition by amendment: %v, %v", got, err)
		}
		v, err := e.svc.Record(ctx, sec, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Amendments) != 1 || v.Amendments[0].Field != activity.FieldFile || v.Amendments[0].After != "补充.png" || v.Amendments[0].Reason != "补充活动合影" {
			t.Errorf("amendments = %+v", v.Amendments)
		}
		if len(v.Files) != activity.MaxFiles {
			t.Errorf("%d files, want %d", len(v.Files), activity.MaxFiles)
		}
	})
}
