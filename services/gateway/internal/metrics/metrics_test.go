package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/services/gateway/internal/metrics"
)

func TestWriteCountsRequestsAndLatency(t *testing.T) {
	r := metrics.New()
	r.Gauge("parley_websockets", "Open sockets.", func() float64 { return 3 })
	r.Observe("POST", "/api/v1/signup", 201, 20*time.Millisecond)
	r.Observe("POST", "/api/v1/signup", 201, 2*time.Second)
	r.Observe("POST", "/api/v1/signup", 400, time.Millisecond)
	r.Observe("GET", "(unmatched)", 404, 10*time.Second)
	var b strings.Builder
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`parley_http_requests_total{method="POST",route="/api/v1/signup",status="201"} 2`,
		`parley_http_requests_total{method="POST",route="/api/v1/signup",status="400"} 1`,
		`parley_http_requests_total{method="GET",route="(unmatched)",status="404"} 1`,
		`parley_http_request_duration_seconds_bucket{method="POST",route="/api/v1/signup",le="0.001"} 1`,
		`parley_http_request_duration_seconds_bucket{method="POST",route="/api/v1/signup",le="0.005"} 1`,
		`parley_http_request_duration_seconds_bucket{method="POST",route="/api/v1/signup",le="0.025"} 2`,
		`parley_http_request_duration_seconds_bucket{method="POST",route="/api/v1/signup",le="2.5"} 3`,
		`parley_http_request_duration_seconds_bucket{method="POST",route="/api/v1/signup",le="+Inf"} 3`,
		`parley_http_request_duration_seconds_count{method="POST",route="/api/v1/signup"} 3`,
		`parley_http_request_duration_seconds_bucket{method="GET",route="(unmatched)",le="5"} 0`,
		`parley_http_request_duration_seconds_bucket{method="GET",route="(unmatched)",le="+Inf"} 1`,
		"# TYPE parley_websockets gauge\nparley_websockets 3\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}
