package asset

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "deflate, gzip": true, "GZIP;q=0.5": true, "gzip;q=0": false, "gzip; q=0.0": false, "*": true, "br": false, "x-gzip": true} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", h)
		if acceptsGzip(r) != want {
			t.Errorf("%q: %v", h, !want)
		}
	}
}

func TestETagMatches(t *testing.T) {
	for h, want := range map[string]bool{"": false, `"a"`: true, `W/"a"`: true, `"b", "a"`: true, `"b"`: false, "*": true} {
		if etagMatches(h, `"a"`) != want {
			t.Errorf("%q: %v", h, !want)
		}
	}
}
