package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/natsx"
)

// The uploads phase: a 10 MB document and a large PNG, each uploaded n
// times one after another through the widget's route (streamed into the
// upload bucket, accepted by the conversation service: sniffed, the image
// re-encoded with a thumbnail, moved into the attachment bucket), against
// the ceiling of the same bytes put straight into a JetStream Object Store
// of an embedded NATS server in this process, on the same disk.

// uploadRow is one kind of file's result.
type uploadRow struct {
	what    string
	size    int
	n       int
	took    time.Duration // the n uploads
	ceiling time.Duration // n raw Object Store puts of the same bytes
	hwm     int64         // the server's peak RSS (VmHWM) after them
}

func uploadRows(bin string, n int) {
	base, rows, err := uploadsPhase(bin, n)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("| uploads: server RSS before the phase | %s |\n", mb(base))
	for _, r := range rows {
		rate := float64(r.size*r.n) / (1 << 20) / r.took.Seconds()
		ceiling := float64(r.size*r.n) / (1 << 20) / r.ceiling.Seconds()
		fmt.Printf("| upload of %s (%.1f MB) × %d through POST /widget/uploads · raw Object Store put of the same bytes | **%.0f MB/s** (%s each) · %.0f MB/s (%.2f× of it); server peak RSS (VmHWM) %s |\n",
			r.what, float64(r.size)/(1<<20), r.n, rate, (r.took / time.Duration(r.n)).Round(time.Millisecond), ceiling, rate/ceiling, mb(r.hwm))
	}
}

func uploadsPhase(bin string, n int) (int64, []uploadRow, error) {
	// Every upload comes from a client IP of its own (the gateway trusts the
	// bench as a proxy), as from n visitors: one IP's limit is 30 a minute.
	srv, err := startServer(bin, "PARLEY_TRUSTED_PROXIES=127.0.0.1")
	if err != nil {
		return 0, nil, err
	}
	defer srv.stop()
	if running == nil { // -only uploads: a fatal error stops this one
		running = srv
	}
	b := &bench{url: srv.url}
	_, key, err := b.signup("Upload bench", "bench-uploads@example.com")
	if err != nil {
		return 0, nil, err
	}
	base, err := rss(srv.pid)
	if err != nil {
		return 0, nil, err
	}
	doc := benchDocument(10 << 20)
	shot, err := benchPNG(4000, 3000)
	if err != nil {
		return 0, nil, err
	}
	ceiling, err := newPutCeiling()
	if err != nil {
		return 0, nil, err
	}
	defer ceiling.close()
	var rows []uploadRow
	ip := 0
	for _, f := range []struct {
		what, name string
		data       []byte
	}{{"a PDF document", "report.pdf", doc}, {"a 4000×3000 PNG", "photo.png", shot}} {
		body, contentType, err := multipartFile(f.name, f.data)
		if err != nil {
			return 0, nil, err
		}
		r := uploadRow{what: f.what, size: len(f.data), n: n}
		for range n {
			ip++
			token, err := b.visitorFrom(key, ip)
			if err != nil {
				return 0, nil, err
			}
			start := time.Now()
			if err := b.uploadFrom(token, ip, body, contentType); err != nil {
				return 0, nil, err
			}
			r.took += time.Since(start)
		}
		if r.hwm, err = hwm(srv.pid); err != nil {
			return 0, nil, err
		}
		if r.ceiling, err = ceiling.put(f.data, n); err != nil {
			return 0, nil, err
		}
		rows = append(rows, r)
	}
	return base, rows, nil
}

// clientIP is the made-up address of the i-th client.
func clientIP(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff) }

// visitorFrom starts a visitor session from the i-th client's address.
func (b *bench) visitorFrom(key string, i int) (string, error) {
	req, _ := http.NewRequest("POST", b.url+"/api/v1/widget/"+key+"/session", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", clientIP(i))
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	return sess.VisitorToken, b.do(req, &sess)
}

func (b *bench) uploadFrom(token string, i int, body []byte, contentType string) error {
	req, _ := http.NewRequest("POST", b.url+"/api/v1/widget/uploads", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Forwarded-For", clientIP(i))
	return b.do(req, nil)
}

// do sends req and decodes a JSON answer into out (unless nil).
func (b *bench) do(req *http.Request, out any) error {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func multipartFile(name string, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	f, err := w.CreateFormFile("file", name)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	return buf.Bytes(), w.FormDataContentType(), err
}

// benchDocument is a PDF-looking document of n bytes that does not compress.
func benchDocument(n int) []byte {
	doc := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range doc {
		doc[i] = byte(r.Uint32())
	}
	copy(doc, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return doc
}

// benchPNG is a w×h photo-like PNG: gradients with a little noise, which
// compress to a few bytes per pixel.
func benchPNG(w, h int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(3, 4))
	for y := range h {
		for x := range w {
			n := uint8(r.IntN(8))
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w)+n, uint8(y*255/h), uint8((x+y)/32)+n, 255
		}
	}
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

// hwm is a process's peak resident memory (VmHWM).
func hwm(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for %d", pid)
}

// putCeiling is an embedded NATS server with an Object Store bucket, as
// the all-in-one process runs them, for the raw put rate.
type putCeiling struct {
	dir   string
	stop  func()
	store blob.Store
}

func newPutCeiling() (*putCeiling, error) {
	dir, err := os.MkdirTemp("", "parley-bench-objects-")
	if err != nil {
		return nil, err
	}
	ns, err := natsx.RunEmbedded(natsx.EmbeddedOptions{StoreDir: filepath.Join(dir, "nats")})
	if err != nil {
		return nil, err
	}
	c := &putCeiling{dir: dir, stop: func() { ns.Shutdown(); ns.WaitForShutdown() }}
	nc, err := natsx.ConnectInProcess(ns, "bench", slog.New(slog.DiscardHandler))
	if err != nil {
		c.close()
		return nil, err
	}
	stop := c.stop
	c.stop = func() { nc.Close(); stop() }
	js, err := jetstream.New(nc)
	if err == nil {
		c.store, err = blob.OpenObjectStore(context.Background(), js, "BENCH_CEILING", 0)
	}
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// put times n puts of data (each deleted afterwards, untimed).
func (c *putCeiling) put(data []byte, n int) (time.Duration, error) {
	ctx := context.Background()
	var took time.Duration
	for i := range n {
		name := "object-" + strconv.Itoa(i)
		start := time.Now()
		if _, err := c.store.Put(ctx, name, bytes.NewReader(data)); err != nil {
			return 0, err
		}
		took += time.Since(start)
		if err := c.store.Delete(ctx, name); err != nil {
			return 0, err
		}
	}
	return took, nil
}

func (c *putCeiling) close() {
	c.stop()
	_ = os.RemoveAll(c.dir)
}
