package media_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	red8  = color.NRGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
)

// quadrants is a w × h image: red top left, green top right, blue bottom
// left, white bottom right.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = green
			case x < w/2 && y >= h/2:
				c = blue
			case x >= w/2 && y >= h/2:
				c = white
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func solid(w, h int, c color.Color) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, c)
		}
	}
	return m
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withExif puts an APP1 EXIF segment right after the JPEG's SOI: IFD0 with
// an image description, the orientation and a GPS IFD (48°51'30" N).
func withExif(jpg []byte, orientation uint16) []byte {
	be := binary.BigEndian
	t := []byte("MM\x00*\x00\x00\x00\x08")
	entry := func(tag, typ uint16, count, value uint32) {
		t = be.AppendUint16(t, tag)
		t = be.AppendUint16(t, typ)
		t = be.AppendUint32(t, count)
		t = be.AppendUint32(t, value)
	}
	desc := "SECRET-CAMERA-NOTE\x00"
	// IFD0 at 8 (42 bytes), GPS IFD at 50 (30 bytes), rationals at 80, description at 104.
	t = be.AppendUint16(t, 3)
	entry(0x010e, 2, uint32(len(desc)), 104)
	entry(0x0112, 3, 1, uint32(orientation)<<16)
	entry(0x8825, 4, 1, 50)
	t = be.AppendUint32(t, 0)
	t = be.AppendUint16(t, 2)
	entry(0x0001, 2, 2, uint32('N')<<24)
	entry(0x0002, 5, 3, 80)
	t = be.AppendUint32(t, 0)
	for _, v := range []uint32{48, 1, 51, 1, 30, 1} {
		t = be.AppendUint32(t, v)
	}
	t = append(t, desc...)
	seg := append([]byte("Exif\x00\x00"), t...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xff, 0xe1)
	out = be.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func chunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// bombPNG is a well-formed PNG header declaring w × h grey pixels, with
// a compressed run of zeros: a few hundred bytes that claim to decode to
// w × h bytes.
func bombPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, min(w, 4096)+1))
	zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", z.Bytes())...)
	return append(out, chunk("IEND", nil)...)
}

// insertBeforeIEND adds a chunk to a PNG just before its IEND.
func insertBeforeIEND(p []byte, c []byte) []byte {
	i := len(p) - 12
	out := append([]byte{}, p[:i]...)
	out = append(out, c...)
	return append(out, p[i:]...)
}

// webpSolid is a lossless WebP of one colour: VP8L with no transforms and
// five single-symbol prefix codes, so each pixel takes no bits.
func webpSolid(w, h int, c color.NRGBA) []byte {
	var bw bitWriter
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	alpha := uint32(0)
	if c.A != 255 {
		alpha = 1
	}
	bw.write(alpha, 1)
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for _, v := range []uint8{c.G, c.R, c.B, c.A} {
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // of 8 bits
		bw.write(uint32(v), 8)
	}
	bw.write(1, 1) // distance: simple code
	bw.write(0, 1) // one symbol
	bw.write(0, 1) // of 1 bit
	bw.write(0, 1)
	data := append([]byte{0x2f}, bw.bytes()...)
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	le := binary.LittleEndian
	out := []byte("RIFF")
	out = le.AppendUint32(out, uint32(4+8+len(data)))
	out = append(out, "WEBPVP8L"...)
	out = le.AppendUint32(out, uint32(len(data)))
	return append(out, data...)
}

type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

func (b *bitWriter) write(v uint32, n uint) {
	b.acc |= uint64(v) << b.nacc
	b.nacc += n
	for b.nacc >= 8 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc >>= 8
		b.nacc -= 8
	}
}

func (b *bitWriter) bytes() []byte {
	if b.nacc > 0 {
		return append(b.buf, byte(b.acc))
	}
	return b.buf
}

// near reports whether two colours are within tol per channel (JPEG is lossy).
func near(a, b color.Color, tol int) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	d := func(x, y uint32) bool { return abs(int(x>>8)-int(y>>8)) <= tol }
	return d(ar, br) && d(ag, bg) && d(ab, bb) && d(aa, ba)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func decodeAny(t *testing.T, data []byte) image.Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode output: %v", err)
	}
	return m
}
