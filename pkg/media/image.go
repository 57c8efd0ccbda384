package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/parley-chat/parley/pkg/contracts"
)

var (
	// ErrNotImage: the bytes are not a PNG, JPEG, GIF or WebP this package can decode.
	ErrNotImage = errors.New("media: not an image")
	// ErrTooManyPixels: the image declares more pixels than allowed; it was not decoded.
	ErrTooManyPixels = errors.New("media: image too large")
	// ErrEmpty: there were no bytes.
	ErrEmpty = errors.New("media: empty file")
)

// ThumbBox bounds a thumbnail's width and height.
const ThumbBox = 320

// JPEGQuality is the quality of re-encoded JPEGs.
const JPEGQuality = 85

// Image is a re-encoded image and its thumbnail.
type Image struct {
	Data          []byte
	ContentType   string // PNG or JPEG
	Width, Height int
	// Thumb fits in ThumbBox × ThumbBox, in the format of Data; it is Data
	// itself when the image already fits.
	Thumb []byte
}

// Reencode decodes a PNG, JPEG, GIF (its first frame) or WebP of at most
// maxPixels pixels (0: contracts.MaxImagePixels) and encodes it again, as
// PNG when the source was lossless or has transparency, else as JPEG,
// with a thumbnail.
func Reencode(r io.Reader, maxPixels int) (Image, error) {
	m, lossless, err := decode(r, maxPixels)
	if err != nil {
		return Image{}, err
	}
	data, ct, err := encode(m, lossless)
	if err != nil {
		return Image{}, err
	}
	out := Image{Data: data, ContentType: ct, Width: m.Bounds().Dx(), Height: m.Bounds().Dy(), Thumb: data}
	if t, scaled := fit(m, ThumbBox); scaled {
		if out.Thumb, _, err = encode(t, lossless); err != nil {
			return Image{}, err
		}
	}
	return out, nil
}

// Square makes an avatar: the image's centred square, scaled down to
// size × size (a smaller image keeps its size), re-encoded. It returns the
// bytes and their content type.
func Square(r io.Reader, size int, maxPixels int) ([]byte, string, error) {
	m, lossless, err := decode(r, maxPixels)
	if err != nil {
		return nil, "", err
	}
	b := m.Bounds()
	side := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
	crop := image.Rect(x0, y0, x0+side, y0+side)
	s := min(side, size)
	dst := image.NewRGBA(image.Rect(0, 0, s, s))
	draw.CatmullRom.Scale(dst, dst.Bounds(), m, crop, draw.Src, nil)
	return encode(dst, lossless)
}

// Fit makes a logo: the image scaled down to fit max × max (a smaller one
// keeps its size), re-encoded. It returns the bytes, their content type
// and the pixel size.
func Fit(r io.Reader, max int, maxPixels int) ([]byte, string, int, int, error) {
	m, lossless, err := decode(r, maxPixels)
	if err != nil {
		return nil, "", 0, 0, err
	}
	m, _ = fit(m, max)
	data, ct, err := encode(m, lossless)
	if err != nil {
		return nil, "", 0, 0, err
	}
	return data, ct, m.Bounds().Dx(), m.Bounds().Dy(), nil
}

type format struct {
	config   func(io.Reader) (image.Config, error)
	decode   func(io.Reader) (image.Image, error)
	lossless bool
}

var formats = map[string]format{
	PNG:  {png.DecodeConfig, png.Decode, true},
	JPEG: {jpeg.DecodeConfig, jpeg.Decode, false},
	GIF:  {gif.DecodeConfig, gif.Decode, true},
	WebP: {webp.DecodeConfig, webp.Decode, false},
}

// decode reads an image whose declared size is within maxPixels, upright.
func decode(r io.Reader, maxPixels int) (image.Image, bool, error) {
	if maxPixels <= 0 {
		maxPixels = contracts.MaxImagePixels
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, false, err
	}
	if len(data) == 0 {
		return nil, false, ErrEmpty
	}
	f, ok := formats[Sniff(data[:min(len(data), SniffLen)]).ContentType]
	if !ok {
		return nil, false, ErrNotImage
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, false, ErrNotImage
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, false, fmt.Errorf("%w: %d × %d pixels", ErrTooManyPixels, cfg.Width, cfg.Height)
	}
	m, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if o := exifOrientation(data); o > 1 { // JPEG only: 0 for the others
		m = orient(m, o)
	}
	return m, f.lossless, nil
}

// pngEncoder favours speed: on a 12-megapixel screenshot the default level
// took about 14 s of a loaded core and this one about 2.5 s, for files some
// 15 % larger.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// encode writes m as PNG when lossless or m has transparency, else as JPEG.
// Neither encoder writes metadata.
func encode(m image.Image, lossless bool) ([]byte, string, error) {
	var buf bytes.Buffer
	if o, ok := m.(interface{ Opaque() bool }); lossless || !ok || !o.Opaque() {
		if err := pngEncoder.Encode(&buf, m); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), PNG, nil
	}
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), JPEG, nil
}

// fit scales m down to fit box × box; scaled is false when m fits already
// and is returned as it is.
func fit(m image.Image, box int) (_ image.Image, scaled bool) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= box && h <= box {
		return m, false
	}
	if w >= h {
		w, h = box, max(1, h*box/w)
	} else {
		w, h = max(1, w*box/h), box
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), m, b, draw.Src, nil)
	return dst, true
}
