package egress_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/services/conversation/internal/egress"
)

func TestPrivateDestinationsAreRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	c := egress.New(false)
	_, err := c.Post(context.Background(), srv.URL, "msg_1", "s", []byte(`{}`)) // http and loopback
	if !errors.Is(err, egress.ErrForbiddenAddress) {
		t.Fatalf("loopback over http: %v", err)
	}
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer tls.Close()
	// IPv6 forms that carry the loopback address are loopback too.
	port := tls.URL[strings.LastIndex(tls.URL, ":"):]
	for _, host := range []string{"[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "[::ffff:127.0.0.1]"} {
		if _, err := c.Post(context.Background(), "https://"+host+port+"/", "msg_1", "s", []byte(`{}`)); !errors.Is(err, egress.ErrForbiddenAddress) {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := c.Post(context.Background(), tls.URL, "msg_1", "s", []byte(`{}`)); !errors.Is(err, egress.ErrForbiddenAddress) {
		t.Fatalf("loopback over https: %v", err)
	}
	if _, err := c.Post(context.Background(), "https://169.254.169.254/latest/meta-data", "msg_1", "s", nil); !errors.Is(err, egress.ErrForbiddenAddress) {
		t.Fatalf("metadata address: %v", err)
	}
}

func TestSignedCallsTimeoutsAndRedirects(t *testing.T) {
	var got http.Header
	var body string
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Write([]byte(`{"status":"shipped"}`))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(egress.Timeout + time.Second) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := egress.New(true)
	res, err := c.Post(context.Background(), srv.URL+"/ok", "msg_1", "topsecret", []byte(`{"n":1}`))
	if err != nil || res.Status != 200 || string(res.Body) != `{"status":"shipped"}` {
		t.Fatalf("post: %+v %v", res, err)
	}
	want := "v1," + egress.Sign("topsecret", got.Get("webhook-id"), got.Get("webhook-timestamp"), []byte(body))
	if got.Get("webhook-signature") != want || got.Get("webhook-id") != "msg_1" {
		t.Fatalf("signature headers %v", got)
	}
	start := time.Now()
	if _, err := c.Post(context.Background(), srv.URL+"/slow", "msg_1", "s", nil); err == nil || time.Since(start) > egress.Timeout+2*time.Second {
		t.Fatalf("slow server: %v after %s", err, time.Since(start))
	}
	if _, err := c.Post(context.Background(), srv.URL+"/away", "msg_1", "s", nil); err == nil {
		t.Fatal("a redirect to another host was followed")
	}
}
