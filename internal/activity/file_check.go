package activity

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	_ "image/gif"  // decodes GIF photos
	_ "image/jpeg" // decodes JPEG photos
	_ "image/png"  // decodes PNG photos
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/webp" // decodes WebP photos
)

// Limits of an activity's files.
const (
	MaxFileSize = 10 << 20 // bytes per file
	MaxFiles    = 30       // files per activity
	MaxFileName = 100      // characters of a stored name
	MaxPixels   = 50 << 20 // pixels of an image; larger ones would take too much memory to decode
	ThumbSize   = 480      // longest side of a thumbnail, in pixels
	maxCaption  = 200
)

// Content types an activity's files may have: photos, PDF and Office documents. Everything
// else is refused.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
	TypePDF  = "application/pdf"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// extensions are the name endings each type may keep; the first is given to a name that has
// another.
var extensions = map[string][]string{
	TypeJPEG: {".jpg", ".jpeg"},
	TypePNG:  {".png"},
	TypeGIF:  {".gif"},
	TypeWebP: {".webp"},
	TypePDF:  {".pdf"},
	TypeDOCX: {".docx"},
	TypeXLSX: {".xlsx"},
	TypePPTX: {".pptx"},
}

// officeMain is the content type of the main part of each Office document type, as its
// [Content_Types].xml declares it. Macro-enabled documents and templates declare others and
// are refused.
var officeMain = map[string]string{
	TypeDOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
	TypeXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
	TypePPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}

// ErrFileType is returned by SniffType for content that is not an accepted photo or
// document.
var ErrFileType = errors.New("activity: file type not accepted")

// SniffType returns the content type of a file from its bytes alone, or ErrFileType. A photo
// must carry an image signature and its header must decode as that format (the full decode
// comes with the thumbnail); a PDF must start as one; an Office document must be a zip with a
// [Content_Types].xml that declares the main part of a DOCX, XLSX or PPTX, that part present,
// and no macros. HTML, scripts, SVG and the rest are refused whatever their name says.
func SniffType(data []byte) (string, error) {
	ct := http.DetectContentType(data)
	switch ct {
	case TypeJPEG, TypePNG, TypeGIF, TypeWebP:
		_, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || "image/"+format != ct {
			return "", ErrFileType
		}
		return ct, nil
	case TypePDF:
		return ct, nil
	case "application/zip":
		return officeType(data)
	}
	return "", ErrFileType
}

// contentTypes is the part of [Content_Types].xml that names the type of each part.
type contentTypes struct {
	Overrides []struct {
		PartName    string `xml:"PartName,attr"`
		ContentType string `xml:"ContentType,attr"`
	} `xml:"Override"`
}

// officeType recognises an Office Open XML document by its [Content_Types].xml.
func officeType(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", ErrFileType
	}
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), "vbaproject.bin") {
			return "", ErrFileType // macros
		}
		parts[f.Name] = f
	}
	ctf := parts["[Content_Types].xml"]
	if ctf == nil {
		return "", ErrFileType
	}
	rc, err := ctf.Open()
	if err != nil {
		return "", ErrFileType
	}
	defer rc.Close()
	var types contentTypes
	// A real [Content_Types].xml is a few kilobytes; reading at most 1 MB of it keeps a zip
	// bomb from inflating.
	if err := xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&types); err != nil {
		return "", ErrFileType
	}
	for _, o := range types.Overrides {
		for ct, main := range officeMain {
			if o.ContentType == main && parts[strings.TrimPrefix(o.PartName, "/")] != nil {
				return ct, nil
			}
		}
	}
	return "", ErrFileType
}

// SanitizeFileName returns a name safe to store and to send back in a Content-Disposition
// header: the last element of any path (so "../../x.jpg" is "x.jpg"), valid UTF-8, without
// control or invisible formatting characters (bidirectional overrides could disguise
// "gpj.exe" as "exe.jpg"), without the characters Windows forbids, not starting or ending
// with a dot or a space, and at most MaxFileName characters with its extension kept. It
// returns "" when nothing is left.
func SanitizeFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r): // tabs and line breaks too
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
		space = false
	}
	name = strings.Trim(b.String(), " .")
	if utf8.RuneCountInString(name) > MaxFileName {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimRight(string(stem[:MaxFileName-utf8.RuneCountInString(ext)]), " .") + ext
		name = strings.Trim(name, " .")
	}
	return name
}

// storedName is the name a file of type ct is kept under: sanitised, and ending in an
// extension of its real type, so that a PNG sent as "x.html" is kept as "x.png".
func storedName(name, ct string) string {
	name = SanitizeFileName(name)
	exts := extensions[ct]
	ext := strings.ToLower(path.Ext(name))
	for _, e := range exts {
		if ext == e {
			return name
		}
	}
	stem := strings.Trim(strings.TrimSuffix(name, path.Ext(name)), " .")
	if stem == "" {
		stem = "file"
	}
	if n := MaxFileName - len(exts[0]); utf8.RuneCountInString(stem) > n {
		stem = strings.Trim(string([]rune(stem)[:n]), " .")
	}
	return stem + exts[0]
}
