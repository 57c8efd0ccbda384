package media_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"runtime"
	"testing"

	"github.com/parley-chat/parley/pkg/media"
)

func reencode(t *testing.T, data []byte) media.Image {
	t.Helper()
	out, err := media.Reencode(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatalf("Reencode: %v", err)
	}
	return out
}

func TestReencodeFormats(t *testing.T) {
	var g bytes.Buffer
	frame := func(c color.Color) *image.Paletted {
		p := image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9)
		for i := range p.Pix {
			p.Pix[i] = uint8(p.Palette.Index(c))
		}
		return p
	}
	if err := gif.EncodeAll(&g, &gif.GIF{Image: []*image.Paletted{frame(green), frame(blue)}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   []byte
		ct   string
		c    color.Color // colour of pixel (1, 1)
	}{
		{"png stays lossless", encodePNG(t, solid(8, 8, red)), media.PNG, red},
		{"png with alpha", encodePNG(t, solid(8, 8, color.NRGBA{0, 0, 255, 128})), media.PNG, color.NRGBA{0, 0, 255, 128}},
		{"jpeg", encodeJPEG(t, solid(8, 8, red)), media.JPEG, red},
		{"gif: first frame", g.Bytes(), media.PNG, green},
		{"opaque webp", webpSolid(8, 8, color.NRGBA{10, 200, 30, 255}), media.JPEG, color.NRGBA{10, 200, 30, 255}},
		{"webp with alpha", webpSolid(8, 8, color.NRGBA{10, 200, 30, 128}), media.PNG, color.NRGBA{10, 200, 30, 128}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := reencode(t, c.in)
			if out.ContentType != c.ct || out.Width != 8 || out.Height != 8 {
				t.Fatalf("got %s %d×%d, want %s 8×8", out.ContentType, out.Width, out.Height, c.ct)
			}
			if got := media.Sniff(out.Data).ContentType; got != c.ct {
				t.Fatalf("output sniffs as %s", got)
			}
			if got := decodeAny(t, out.Data).At(1, 1); !near(got, c.c, 6) {
				t.Fatalf("pixel %v, want %v", got, c.c)
			}
			if !bytes.Equal(out.Thumb, out.Data) {
				t.Fatal("an image that fits the thumbnail box is its own thumbnail")
			}
		})
	}
}

func TestThumbnail(t *testing.T) {
	out := reencode(t, encodeJPEG(t, quadrants(1000, 500)))
	if out.Width != 1000 || out.Height != 500 {
		t.Fatalf("size %d×%d", out.Width, out.Height)
	}
	th := decodeAny(t, out.Thumb)
	if b := th.Bounds(); b.Dx() != 320 || b.Dy() != 160 {
		t.Fatalf("thumb %v, want 320×160", b)
	}
	if !near(th.At(10, 10), red, 10) || !near(th.At(310, 150), white, 10) {
		t.Fatalf("thumb is not the image: %v %v", th.At(10, 10), th.At(310, 150))
	}
	tall := reencode(t, encodePNG(t, solid(100, 1000, red)))
	if b := decodeAny(t, tall.Thumb).Bounds(); b.Dx() != 32 || b.Dy() != 320 {
		t.Fatalf("tall thumb %v, want 32×320", b)
	}
}

func TestExifOrientationAndGPSDropped(t *testing.T) {
	src := encodeJPEG(t, quadrants(40, 20))
	// Colours of the upright image's top-left and top-right corners.
	cases := []struct {
		o       uint16
		tl, tr  color.Color
		swapped bool
	}{
		{1, red, green, false},
		{2, green, red, false},
		{3, white, blue, false},
		{4, blue, white, false},
		{5, red, blue, true},
		{6, blue, red, true},
		{7, white, green, true},
		{8, green, white, true},
	}
	for _, c := range cases {
		in := withExif(src, c.o)
		if !bytes.Contains(in, []byte("SECRET-CAMERA-NOTE")) {
			t.Fatal("fixture lacks its EXIF")
		}
		out := reencode(t, in)
		w, h := 40, 20
		if c.swapped {
			w, h = 20, 40
		}
		if out.Width != w || out.Height != h {
			t.Fatalf("orientation %d: %d×%d, want %d×%d", c.o, out.Width, out.Height, w, h)
		}
		m := decodeAny(t, out.Data)
		if tl, tr := m.At(3, 3), m.At(w-4, 3); !near(tl, c.tl, 40) || !near(tr, c.tr, 40) {
			t.Fatalf("orientation %d: corners %v %v, want %v %v", c.o, tl, tr, c.tl, c.tr)
		}
		for _, leak := range []string{"Exif", "SECRET-CAMERA-NOTE", "\xff\xe1"} {
			if bytes.Contains(out.Data, []byte(leak)) || bytes.Contains(out.Thumb, []byte(leak)) {
				t.Fatalf("orientation %d: output still holds %q", c.o, leak)
			}
		}
	}
}

func TestPolyglotPayloadDropped(t *testing.T) {
	in := encodePNG(t, solid(16, 16, red))
	in = insertBeforeIEND(in, chunk("tEXt", []byte("Comment\x00<script>alert('chunk')</script>")))
	in = append(in, "<html><body><script>alert(document.cookie)</script></body></html>"...)
	if got := media.Sniff(in); got.ContentType != media.PNG {
		t.Fatalf("polyglot sniffs as %+v", got)
	}
	out := reencode(t, in)
	for _, b := range [][]byte{out.Data, out.Thumb} {
		if bytes.Contains(bytes.ToLower(b), []byte("<script")) || bytes.Contains(b, []byte("alert")) {
			t.Fatal("re-encoded image still carries the payload")
		}
	}
	if !near(decodeAny(t, out.Data).At(8, 8), red, 0) {
		t.Fatal("pixels changed")
	}
}

func TestReencodeRefuses(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"zero bytes", nil, media.ErrEmpty},
		{"html renamed .png", []byte("<html><script>alert(1)</script></html>"), media.ErrNotImage},
		{"svg with script", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), media.ErrNotImage},
		{"pdf renamed .jpg", []byte("%PDF-1.4\n1 0 obj\n"), media.ErrNotImage},
		{"bmp is not re-encoded", []byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00"), media.ErrNotImage},
		{"truncated png", encodePNG(t, solid(64, 64, red))[:60], media.ErrNotImage},
		{"png header only", []byte("\x89PNG\r\n\x1a\n"), media.ErrNotImage},
		{"zero-width png", bombPNG(0, 10), media.ErrNotImage},
		{"decompression bomb", bombPNG(30000, 30000), media.ErrTooManyPixels},
		{"wide bomb", bombPNG(1<<31-1, 1), media.ErrTooManyPixels},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := media.Reencode(bytes.NewReader(c.in), 0); !errors.Is(err, c.want) {
				t.Fatalf("Reencode: %v, want %v", err, c.want)
			}
			if _, _, err := media.Square(bytes.NewReader(c.in), 256, 0); !errors.Is(err, c.want) {
				t.Fatalf("Square: %v, want %v", err, c.want)
			}
			if _, _, _, _, err := media.Fit(bytes.NewReader(c.in), 512, 0); !errors.Is(err, c.want) {
				t.Fatalf("Fit: %v, want %v", err, c.want)
			}
		})
	}
}

// TestBombNotDecoded shows the 900-megapixel PNG is refused from its header:
// decoding it would allocate 900 MB.
func TestBombNotDecoded(t *testing.T) {
	bomb := bombPNG(30000, 30000)
	if len(bomb) > 100<<10 {
		t.Fatalf("fixture is %d bytes", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := media.Reencode(bytes.NewReader(bomb), 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, media.ErrTooManyPixels) {
		t.Fatal(err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
		t.Fatalf("allocated %d bytes refusing a bomb", n)
	}
}

func TestMaxPixels(t *testing.T) {
	in := encodePNG(t, solid(200, 100, red))
	if _, err := media.Reencode(bytes.NewReader(in), 19_999); !errors.Is(err, media.ErrTooManyPixels) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := media.Reencode(bytes.NewReader(in), 20_000); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}

func TestSquare(t *testing.T) {
	// Thirds: red, green, blue; the centred square is the green one.
	m := image.NewRGBA(image.Rect(0, 0, 300, 100))
	for y := range 100 {
		for x := range 300 {
			m.SetRGBA(x, y, []color.RGBA{red, green, blue}[x/100])
		}
	}
	for _, c := range []struct{ size, want int }{{256, 100}, {50, 50}} {
		data, ct, err := media.Square(bytes.NewReader(encodeJPEG(t, m)), c.size, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := decodeAny(t, data)
		if ct != media.JPEG || out.Bounds().Dx() != c.want || out.Bounds().Dy() != c.want {
			t.Fatalf("Square(%d): %s %v", c.size, ct, out.Bounds())
		}
		for _, p := range []image.Point{{2, 2}, {c.want / 2, c.want / 2}, {c.want - 3, c.want - 3}} {
			if !near(out.At(p.X, p.Y), green, 40) {
				t.Fatalf("Square(%d) at %v: %v, want green", c.size, p, out.At(p.X, p.Y))
			}
		}
	}
	data, ct, err := media.Square(bytes.NewReader(withExif(encodeJPEG(t, solid(60, 30, red)), 6)), 256, 0)
	if err != nil || ct != media.JPEG || bytes.Contains(data, []byte("Exif")) {
		t.Fatalf("Square of an EXIF JPEG: %s, %v", ct, err)
	}
}

func TestFit(t *testing.T) {
	data, ct, w, h, err := media.Fit(bytes.NewReader(encodePNG(t, solid(1000, 250, color.NRGBA{0, 0, 255, 100}))), 512, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ct != media.PNG || w != 512 || h != 128 {
		t.Fatalf("Fit: %s %d×%d", ct, w, h)
	}
	if b := decodeAny(t, data).Bounds(); b.Dx() != 512 || b.Dy() != 128 {
		t.Fatalf("bytes are %v", b)
	}
	_, _, w, h, err = media.Fit(bytes.NewReader(encodeJPEG(t, solid(100, 50, red))), 512, 0)
	if err != nil || w != 100 || h != 50 {
		t.Fatalf("small logo: %d×%d, %v", w, h, err)
	}
}
