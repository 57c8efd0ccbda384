package media_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/parley-chat/parley/pkg/media"
)

// FuzzReencode feeds hostile bytes to the sniffer, the EXIF reader and the
// decoders: they may refuse, never panic, and whatever they accept comes
// out as a PNG or JPEG.
func FuzzReencode(f *testing.F) {
	jpg := encodeJPEG(f, quadrants(16, 8))
	f.Add(withExif(jpg, 6))
	f.Add(jpg)
	f.Add(encodePNG(f, solid(4, 4, red)))
	f.Add(bombPNG(30000, 30000))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		media.Sniff(data)
		out, err := media.Reencode(bytes.NewReader(data), 1<<20)
		if err != nil {
			if !errors.Is(err, media.ErrNotImage) && !errors.Is(err, media.ErrTooManyPixels) && !errors.Is(err, media.ErrEmpty) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if ct := media.Sniff(out.Data).ContentType; ct != media.PNG && ct != media.JPEG {
			t.Fatalf("output is %s", ct)
		}
	})
}
