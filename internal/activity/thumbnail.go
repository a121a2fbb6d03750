package activity

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"

	"github.com/disintegration/imaging"
	xdraw "golang.org/x/image/draw"
)

// errImageTooLarge is returned for an image with more than MaxPixels pixels.
var errImageTooLarge = errors.New("activity: image too large")

// ErrImageTooLarge is returned by Thumbnail for an image with more than MaxPixels pixels.
var ErrImageTooLarge = errImageTooLarge

// Thumbnail returns a JPEG of a photo whose longest side is at most ThumbSize pixels, turned
// upright, with the photo's upright size: see thumbnail. Other packages keeping photos (the
// reports of mass work) make theirs with it.
func Thumbnail(data []byte) (thumb []byte, width, height int, err error) { return thumbnail(data) }

// thumbnail decodes a photo and returns a JPEG of it whose longest side is at most ThumbSize
// pixels, turned upright by its EXIF orientation, with the photo's upright size. Transparent
// parts become white. A photo that does not
// decode (an "image" that is something else behind a valid header) is refused.
func thumbnail(data []byte) (thumb []byte, width, height int, err error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("activity: thumbnail: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, 0, 0, errImageTooLarge
	}
	// Phones store portrait photos sideways with an EXIF orientation; browsers turn the
	// original upright, so the thumbnail must be turned too.
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("activity: thumbnail: %w", err)
	}
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), ThumbSize)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, 0, 0, fmt.Errorf("activity: thumbnail: %w", err)
	}
	return buf.Bytes(), b.Dx(), b.Dy(), nil
}

// fit returns the size of a w×h picture scaled down to fit a square of the given side, at
// least one pixel each way; a picture that fits already keeps its size.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}
