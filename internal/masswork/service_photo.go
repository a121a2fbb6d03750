package masswork

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"strconv"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/disintegration/imaging"
)

// Limits of a report's photos.
const (
	MaxPhotos    = 3       // photos per report
	MaxPhotoSize = 5 << 20 // bytes per photo
)

// PhotoUpload is a photo as the reporter sends it: the name their phone gave it and its bytes.
// The name only labels the photo in what the reporter is told about it when it is refused;
// it is never kept (see photoName).
type PhotoUpload struct {
	Name string
	Data []byte
}

// photoExtensions are the name endings of the accepted photo types, by sniffed content type.
var photoExtensions = map[string]string{
	activity.TypeJPEG: ".jpg",
	activity.TypePNG:  ".png",
	activity.TypeWebP: ".webp",
	activity.TypeGIF:  ".gif",
}

// photoError is a refused photo, its message naming the file.
func photoError(key, name string) error {
	return &apperr.Error{Kind: apperr.Invalid, Key: key,
		Args: map[string]any{"Name": name, "MB": MaxPhotoSize >> 20, "Max": MaxPhotos}}
}

// CheckPhotos checks the photos of a report before anything is written: at most MaxPhotos,
// each at most MaxPhotoSize bytes, a JPEG, PNG, WebP or GIF by its content (whatever its name
// says; an HTML page named .jpg is refused), one that decodes. It returns the photos to
// attach, with their thumbnails, named by their position (see photoName); the same bytes
// sent twice are kept once. Errors are Invalid with the file's name, as the reporter's phone
// gave it, in Args["Name"].
func CheckPhotos(ups []PhotoUpload) ([]*Photo, error) {
	if len(ups) > MaxPhotos {
		return nil, photoError("report.error.photo_count", "")
	}
	out := make([]*Photo, 0, len(ups))
	seen := map[string]bool{}
	for _, up := range ups {
		shown := activity.SanitizeFileName(up.Name)
		if shown == "" {
			shown = "photo"
		}
		switch {
		case len(up.Data) == 0:
			return nil, photoError("report.error.photo_empty", shown)
		case len(up.Data) > MaxPhotoSize:
			return nil, photoError("report.error.photo_too_large", shown)
		}
		ct, err := activity.SniffType(up.Data)
		if err != nil || photoExtensions[ct] == "" {
			return nil, photoError("report.error.photo_type", shown)
		}
		sum := sha256.Sum256(up.Data)
		hash := hex.EncodeToString(sum[:])
		if seen[hash] {
			continue
		}
		seen[hash] = true
		thumb, w, h, err := activity.Thumbnail(up.Data)
		switch {
		case errors.Is(err, activity.ErrImageTooLarge):
			return nil, photoError("report.error.photo_pixels", shown)
		case err != nil:
			return nil, photoError("report.error.photo_broken", shown)
		}
		data, ct, err := photoClean(up.Data, ct)
		if err != nil {
			return nil, photoError("report.error.photo_broken", shown)
		}
		kept := sha256.Sum256(data)
		out = append(out, &Photo{Name: photoName(len(out)+1, ct), ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(kept[:]),
			Width: w, Height: h, Thumb: thumb, Data: data})
	}
	return out, nil
}

// photoName is the name the n-th photo of a report (from 1) of type ct is kept and shown
// under: "photo-1.jpg", its extension that of the type the photo is kept as. The name a
// phone gives a photo often holds the date, the reporter's name or their shop's
// ("IMG_20230715_张三.jpg", "王老板的店.png"), which would point staff, or the public, at an
// anonymous reporter; it is not kept.
func photoName(n int, ct string) string {
	return "photo-" + strconv.Itoa(n) + photoExtensions[ct]
}

// photoOwner returns the report a code names when key is its private key; anything else,
// an unknown code or a wrong key alike, is not found.
func (s *Service) photoOwner(ctx context.Context, code, key string) (*Problem, error) {
	code, ok := ParseCode(code)
	if !ok || key == "" {
		return nil, apperr.ErrNotFound
	}
	p, err := s.store.FindProblemByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if !KeyMatches(key, p.SecretHash) {
		return nil, apperr.ErrNotFound
	}
	return p, nil
}

// AttachPhotos attaches checked photos (see CheckPhotos) to the report a code names, naming
// them by their position among its photos; key is the report's private key, as the receipt
// of Submit gave it, so only its reporter can.
func (s *Service) AttachPhotos(ctx context.Context, code, key string, photos []*Photo) error {
	if len(photos) == 0 {
		return nil
	}
	if len(photos) > MaxPhotos {
		return photoError("report.error.photo_count", "")
	}
	p, err := s.photoOwner(ctx, code, key)
	if err != nil {
		return err
	}
	// Named by their position among the report's photos: after any it has already.
	all, err := s.store.FindPhotos(ctx, p.MatterID)
	if err != nil {
		return err
	}
	had := 0
	for _, ph := range all {
		if ph.ProblemID == p.ID {
			had++
		}
	}
	for i, ph := range photos {
		ph.Name = photoName(had+i+1, ph.ContentType)
	}
	return s.store.AddPhotos(ctx, p.ID, photos, MaxPhotos)
}

// OwnerPhotos lists, without their bytes, the photos of the report a code names, for the
// holder of its private key.
func (s *Service) OwnerPhotos(ctx context.Context, code, key string) ([]*Photo, error) {
	p, err := s.photoOwner(ctx, code, key)
	if err != nil {
		return nil, err
	}
	all, err := s.store.FindPhotos(ctx, p.MatterID)
	if err != nil {
		return nil, err
	}
	var out []*Photo
	for _, ph := range all {
		if ph.ProblemID == p.ID {
			out = append(out, ph)
		}
	}
	return out, nil
}

// OwnerPhoto returns one photo of the report a code names, with its bytes (or its
// thumbnail's), for the holder of its private key. Another report's photo is not found.
func (s *Service) OwnerPhoto(ctx context.Context, code, key string, photoID int64, thumb bool) (*Photo, error) {
	p, err := s.photoOwner(ctx, code, key)
	if err != nil {
		return nil, err
	}
	ph, err := s.store.FindPhotoContent(ctx, photoID, thumb)
	if err != nil {
		return nil, err
	}
	if ph.ProblemID != p.ID {
		return nil, apperr.ErrNotFound
	}
	return ph, nil
}

// photoMatter returns a matter the actor may see as staff (as its page would show it);
// others are not found.
func (s *Service) photoMatter(ctx context.Context, a *auth.Actor, matterID int64) (*Matter, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	m, err := s.store.FindMatterByID(ctx, matterID)
	if err != nil {
		return nil, err
	}
	if !s.matterCanRead(ctx, a, m) {
		return nil, apperr.ErrNotFound
	}
	return m, nil
}

// MatterPhotos lists, without their bytes, the photos of every report of a matter the actor
// may see.
func (s *Service) MatterPhotos(ctx context.Context, a *auth.Actor, matterID int64) ([]*Photo, error) {
	if _, err := s.photoMatter(ctx, a, matterID); err != nil {
		return nil, err
	}
	return s.store.FindPhotos(ctx, matterID)
}

// Photo returns one photo of a report, with its bytes (or its thumbnail's), to staff who may
// see its matter; its MatterID says which matter that is now.
func (s *Service) Photo(ctx context.Context, a *auth.Actor, photoID int64, thumb bool) (*Photo, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	ph, err := s.store.FindPhotoContent(ctx, photoID, thumb)
	if err != nil {
		return nil, err
	}
	if _, err := s.photoMatter(ctx, a, ph.MatterID); err != nil {
		return nil, err
	}
	return ph, nil
}

// photoClean returns the photo as it is kept: drawn anew, upright by its EXIF orientation,
// without any of the metadata the file carried — a phone's photo holds the place it was taken
// (GPS), the device's make, model and serial number and the time, which would point staff
// at an anonymous reporter. A PNG stays a PNG; anything else becomes a JPEG on white.
func photoClean(data []byte, ct string) ([]byte, string, error) {
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if ct == "image/png" {
		if err := png.Encode(&buf, img); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), ct, nil
	}
	b := img.Bounds()
	flat := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, b.Min, draw.Over)
	if err := jpeg.Encode(&buf, flat, &jpeg.Options{Quality: 88}); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "image/jpeg", nil
}
