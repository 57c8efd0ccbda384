// Package metrics counts what a gateway serves and writes it in Prometheus'
// text format: requests by method, route template and status, their
// latency, and gauges read at scrape time (open sockets, goroutines, heap).
// Nothing here names a tenant, a user or a URL, so the number of series stays
// bounded by the routes.
package metrics

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// buckets are the latency histogram's upper bounds, in seconds: fine below
// 10 ms, where a message's server-side time should be, to tell 1 ms from 5.
var buckets = []float64{0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type requestKey struct {
	method, route string
	status        int
}

type routeKey struct{ method, route string }

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	total  uint64
}

type gauge struct {
	name, help string
	read       func() float64
}

// Registry holds the gateway's metrics. The zero value is not usable; call New.
type Registry struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[routeKey]*histogram
	gauges    []gauge
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{requests: map[requestKey]uint64{}, durations: map[routeKey]*histogram{}}
}

// Gauge adds a value read at every scrape. Call it before serving.
func (r *Registry) Gauge(name, help string, read func() float64) {
	r.gauges = append(r.gauges, gauge{name: name, help: help, read: read})
}

// Observe records one request; route is the route template ("(unmatched)"
// for paths no route matched), never the path itself.
func (r *Registry) Observe(method, route string, status int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[requestKey{method, route, status}]++
	h := r.durations[routeKey{method, route}]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		r.durations[routeKey{method, route}] = h
	}
	s := d.Seconds()
	if i, _ := slices.BinarySearch(buckets, s); i < len(buckets) {
		h.counts[i]++
	}
	h.sum += s
	h.total++
}

// Write writes every metric in the Prometheus text exposition format 0.0.4.
func (r *Registry) Write(w io.Writer) error {
	var b strings.Builder
	r.mu.Lock()
	reqs := make([]requestKey, 0, len(r.requests))
	for k := range r.requests {
		reqs = append(reqs, k)
	}
	slices.SortFunc(reqs, func(a, b requestKey) int {
		return strings.Compare(a.route+" "+a.method+" "+strconv.Itoa(a.status), b.route+" "+b.method+" "+strconv.Itoa(b.status))
	})
	b.WriteString("# HELP parley_http_requests_total HTTP requests answered, by method, route template and status.\n")
	b.WriteString("# TYPE parley_http_requests_total counter\n")
	for _, k := range reqs {
		fmt.Fprintf(&b, "parley_http_requests_total{method=%q,route=%q,status=\"%d\"} %d\n", k.method, k.route, k.status, r.requests[k])
	}
	routes := make([]routeKey, 0, len(r.durations))
	for k := range r.durations {
		routes = append(routes, k)
	}
	slices.SortFunc(routes, func(a, b routeKey) int { return strings.Compare(a.route+" "+a.method, b.route+" "+b.method) })
	b.WriteString("# HELP parley_http_request_duration_seconds Time to answer HTTP requests (WebSockets: their whole life).\n")
	b.WriteString("# TYPE parley_http_request_duration_seconds histogram\n")
	for _, k := range routes {
		h := r.durations[k]
		labels := fmt.Sprintf("method=%q,route=%q", k.method, k.route)
		var cum uint64
		for i, le := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "parley_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "parley_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.total)
		fmt.Fprintf(&b, "parley_http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "parley_http_request_duration_seconds_count{%s} %d\n", labels, h.total)
	}
	r.mu.Unlock()
	for _, g := range r.gauges {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, strconv.FormatFloat(g.read(), 'g', -1, 64))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
