package masswork_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func photoPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func photoJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// photoWebP is a 1×1 lossless WebP.
var photoWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestCheckPhotos(t *testing.T) {
	pngData, jpgData := photoPNG(t, 900, 600), photoJPEG(t, 40, 30)
	html := []byte("<!doctype html><html><script>alert(1)</script></html>")
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`)
	// A PNG whose header decodes but whose pixels are cut off.
	broken := append([]byte(nil), pngData[:200]...)
	// A PNG header claiming 100000 × 100000 pixels (a decompression bomb).
	bomb := append([]byte(nil), pngData...)
	bomb[16], bomb[17], bomb[18], bomb[19] = 0, 1, 0x86, 0xa0
	bomb[20], bomb[21], bomb[22], bomb[23] = 0, 1, 0x86, 0xa0
	binary.BigEndian.PutUint32(bomb[29:33], crc32.ChecksumIEEE(bomb[12:29]))
	tests := []struct {
		name     string
		ups      []masswork.PhotoUpload
		wantKey  string // error key, or "" for success
		wantName string // of the error, or of the first photo kept
		wantN    int
	}{
		// Kept photos are named by their position and the type they are kept as, never by
		// the name the phone gave them.
		{"png", []masswork.PhotoUpload{{Name: "东门.png", Data: pngData}}, "", "photo-1.png", 1},
		{"a reporter's name in the file name", []masswork.PhotoUpload{{Name: "张三的照片.jpg", Data: jpgData}}, "", "photo-1.jpg", 1},
		{"a phone's name", []masswork.PhotoUpload{{Name: "IMG_20230715_王老板的店.png", Data: pngData}}, "", "photo-1.png", 1},
		{"jpeg under another name", []masswork.PhotoUpload{{Name: "x.html", Data: jpgData}}, "", "photo-1.jpg", 1},
		{"png named jpg", []masswork.PhotoUpload{{Name: "x.jpg", Data: pngData}}, "", "photo-1.png", 1},
		{"webp", []masswork.PhotoUpload{{Name: "a.webp", Data: photoWebP}}, "", "photo-1.jpg", 1},
		{"path in the name", []masswork.PhotoUpload{{Name: `..\..\etc\照片.jpeg`, Data: jpgData}}, "", "photo-1.jpg", 1},
		{"no name", []masswork.PhotoUpload{{Data: jpgData}}, "", "photo-1.jpg", 1},
		{"the same twice", []masswork.PhotoUpload{{Name: "a.png", Data: pngData}, {Name: "b.png", Data: pngData}}, "", "photo-1.png", 1},
		{"three", []masswork.PhotoUpload{{Name: "a.png", Data: pngData}, {Name: "b.jpg", Data: jpgData}, {Name: "c.webp", Data: photoWebP}}, "", "photo-1.png", 3},
		{"none", nil, "", "", 0},
		{"four", []masswork.PhotoUpload{{Name: "a.png", Data: pngData}, {Name: "b.jpg", Data: jpgData}, {Name: "c.webp", Data: photoWebP},
			{Name: "d.png", Data: photoPNG(t, 3, 3)}}, "report.error.photo_count", "", 0},
		{"html named jpg", []masswork.PhotoUpload{{Name: "evil.jpg", Data: html}}, "report.error.photo_type", "evil.jpg", 0},
		{"svg", []masswork.PhotoUpload{{Name: "a.svg", Data: svg}}, "report.error.photo_type", "a.svg", 0},
		{"pdf", []masswork.PhotoUpload{{Name: "a.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}}, "report.error.photo_type", "a.pdf", 0},
		{"empty", []masswork.PhotoUpload{{Name: "a.jpg"}}, "report.error.photo_empty", "a.jpg", 0},
		{"too large", []masswork.PhotoUpload{{Name: "big.jpg", Data: append(jpgData, make([]byte, masswork.MaxPhotoSize)...)}},
			"report.error.photo_too_large", "big.jpg", 0},
		{"broken", []masswork.PhotoUpload{{Name: "b.png", Data: broken}}, "report.error.photo_broken", "b.png", 0},
		{"too many pixels", []masswork.PhotoUpload{{Name: "bomb.png", Data: bomb}}, "report.error.photo_pixels", "bomb.png", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := masswork.CheckPhotos(tt.ups)
			if tt.wantKey != "" {
				e := apperr.As(err)
				if e == nil || e.Kind != apperr.Invalid || e.Key != tt.wantKey {
					t.Fatalf("err = %v, want %s", err, tt.wantKey)
				}
				if tt.wantName != "" && e.Args["Name"] != tt.wantName {
					t.Errorf("name in the message = %v, want %q", e.Args["Name"], tt.wantName)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantN {
				t.Fatalf("photos = %d, want %d", len(got), tt.wantN)
			}
			if tt.wantN == 0 {
				return
			}
			if got[0].Name != tt.wantName {
				t.Errorf("name = %q, want %q", got[0].Name, tt.wantName)
			}
			for i, ph := range got {
				ext := ".jpg"
				if ph.ContentType == "image/png" {
					ext = ".png"
				}
				if want := fmt.Sprintf("photo-%d%s", i+1, ext); ph.Name != want {
					t.Errorf("photo %d named %q, want %q", i+1, ph.Name, want)
				}
				if !strings.HasPrefix(ph.ContentType, "image/") || ph.Size != int64(len(ph.Data)) || len(ph.SHA256) != 64 {
					t.Errorf("photo %+v", ph)
				}
				if ct, err := activity.SniffType(ph.Thumb); err != nil || ct != activity.TypeJPEG {
					t.Errorf("thumbnail of %s: %v %v", ph.Name, ct, err)
				}
			}
		})
	}
	t.Run("size and thumbnail", func(t *testing.T) {
		got, err := masswork.CheckPhotos([]masswork.PhotoUpload{{Name: "a.png", Data: pngData}})
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(got[0].Thumb))
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Width != 900 || got[0].Height != 600 || cfg.Width != activity.ThumbSize || cfg.Height != 320 {
			t.Errorf("size %d×%d, thumbnail %d×%d", got[0].Width, got[0].Height, cfg.Width, cfg.Height)
		}
	})
}

func TestReportPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		mine := e.report(t, "parking", "东门停车场车位太少，早上停不下车")
		other := e.report(t, "network", "B区宽带每天下午断网")
		photos, err := masswork.CheckPhotos([]masswork.PhotoUpload{{Name: "a.png", Data: photoPNG(t, 40, 30)}, {Name: "b.jpg", Data: photoJPEG(t, 20, 20)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AttachPhotos(ctx, other.Code, mine.Key, photos); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("attach with another report's key: err = %v", err)
		}
		if err := e.svc.AttachPhotos(ctx, mine.Code, mine.Key, photos); err != nil {
			t.Fatal(err)
		}
		more, _ := masswork.CheckPhotos([]masswork.PhotoUpload{{Name: "c.png", Data: photoPNG(t, 8, 8)}, {Name: "d.png", Data: photoPNG(t, 9, 9)}})
		if err := e.svc.AttachPhotos(ctx, mine.Code, mine.Key, more); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("a fourth and fifth photo: err = %v", err)
		}
		own, err := e.svc.OwnerPhotos(ctx, mine.Code, mine.Key)
		if err != nil || len(own) != 2 {
			t.Fatalf("owner photos: %d, %v", len(own), err)
		}
		if own[0].Name != "photo-1.png" || own[1].Name != "photo-2.jpg" {
			t.Errorf("kept as %q and %q, want photo-1.png and photo-2.jpg", own[0].Name, own[1].Name)
		}
		if other, err := e.svc.OwnerPhotos(ctx, other.Code, other.Key); err != nil || len(other) != 0 {
			t.Errorf("another report lists %d photos, %v", len(other), err)
		}
		pid := own[0].ID
		tests := []struct {
			name      string
			code, key string
			want      apperr.Kind // "" for success
		}{
			{"owner", mine.Code, mine.Key, ""},
			{"owner, code typed with spaces", masswork.FormatCode(mine.Code), mine.Key, ""},
			{"no key", mine.Code, "", apperr.NotFound},
			{"wrong key", mine.Code, other.Key, apperr.NotFound},
			{"another report's code and key", other.Code, other.Key, apperr.NotFound},
			{"the matter's code", mine.MatterCode, mine.Key, apperr.NotFound},
			{"no code", "", mine.Key, apperr.NotFound},
		}
		for _, tt := range tests {
			ph, err := e.svc.OwnerPhoto(ctx, tt.code, tt.key, pid, false)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s: %v", tt.name, err)
			case tt.want == "" && (len(ph.Data) == 0 || ph.ContentType != "image/png"):
				t.Errorf("%s: photo %s %d bytes", tt.name, ph.ContentType, len(ph.Data))
			case tt.want != "" && apperr.KindOf(err) != tt.want:
				t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
			}
		}
		if ph, err := e.svc.OwnerPhoto(ctx, mine.Code, mine.Key, pid, true); err != nil || len(ph.Thumb) == 0 || ph.Data != nil {
			t.Errorf("owner thumbnail: %v", err)
		}

		staff := []struct {
			user string
			want apperr.Kind
		}{
			{"admin", ""},
			{"secretary", ""},
			{"firstsec", apperr.NotFound},
		}
		for _, s := range staff {
			ph, err := e.svc.Photo(ctx, e.actors[s.user], pid, false)
			if s.want == "" && (err != nil || ph.MatterID != mine.MatterID) {
				t.Errorf("%s: %v", s.user, err)
			}
			if s.want != "" && apperr.KindOf(err) != s.want {
				t.Errorf("%s: err = %v, want %s", s.user, err, s.want)
			}
			list, err := e.svc.MatterPhotos(ctx, e.actors[s.user], mine.MatterID)
			if s.want == "" && (err != nil || len(list) != 2) {
				t.Errorf("%s lists %d photos, %v", s.user, len(list), err)
			}
			if s.want != "" && apperr.KindOf(err) != s.want {
				t.Errorf("%s lists: err = %v, want %s", s.user, err, s.want)
			}
		}
		if _, err := e.svc.Photo(ctx, nil, pid, false); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("no actor: err = %v", err)
		}

		// A photo attached later is numbered after those the report has.
		third, err := masswork.CheckPhotos([]masswork.PhotoUpload{{Name: "张三的照片.png", Data: photoPNG(t, 7, 7)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AttachPhotos(ctx, mine.Code, mine.Key, third); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.MatterPhotos(ctx, e.actors["admin"], mine.MatterID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ph := range list {
			names = append(names, ph.Name)
		}
		if got, want := strings.Join(names, ","), "photo-1.png,photo-2.jpg,photo-3.png"; got != want {
			t.Errorf("the matter's photos: %s, want %s", got, want)
		}
	})
}

// TestPhotosLoseTheirMetadata: a phone's photo carries where it was taken and by which device;
// what is kept has none of it, whatever the type sent.
func TestPhotosLoseTheirMetadata(t *testing.T) {
	plain := photoJPEG(t, 40, 30)
	// An APP1 Exif segment right after the start of image, as phones write it, with a GPS
	// block and a device serial number in it.
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPSLatitude 29.7081 SerialNumber XJ-4471-PHONE")
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	withExif := append(append(append([]byte{}, plain[:2]...), append(seg, payload...)...), plain[2:]...)
	for name, data := range map[string][]byte{"photo.jpg": withExif, "shot.webp": photoWebP, "scan.png": photoPNG(t, 20, 10)} {
		got, err := masswork.CheckPhotos([]masswork.PhotoUpload{{Name: name, Data: data}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := got[0]
		if bytes.Contains(p.Data, []byte("Exif")) || bytes.Contains(p.Data, []byte("SerialNumber")) || bytes.Contains(p.Data, []byte("GPS")) {
			t.Errorf("%s: metadata kept", name)
		}
		if _, _, err := image.Decode(bytes.NewReader(p.Data)); err != nil {
			t.Errorf("%s: what is kept does not decode: %v", name, err)
		}
		want := "image/jpeg"
		if strings.HasSuffix(name, ".png") {
			want = "image/png"
		}
		if p.ContentType != want || p.Size != int64(len(p.Data)) {
			t.Errorf("%s: kept as %s, %d bytes (data %d)", name, p.ContentType, p.Size, len(p.Data))
		}
	}
}
