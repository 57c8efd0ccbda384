package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// exportResult is what the export phase measured.
type exportResult struct {
	messages, imported          int64
	size                        int64
	seed, export, download, imp time.Duration
	exportMem, importMem        memory
}

// memory is a process's resident memory before a phase and at its peak.
type memory struct{ base, peak int64 }

// sampleRSS samples a process's resident memory every 10 ms until the
// returned function is called, which returns the first sample and the peak.
func sampleRSS(pid int) func() memory {
	base, _ := rss(pid)
	m := memory{base: base, peak: base}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if r, err := rss(pid); err == nil && r > m.peak {
					m.peak = r
				}
			}
		}
	}()
	return func() memory { close(done); <-finished; return m }
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

// job is the part of an Export or Import the phase reads.
type job struct {
	ID          string           `json:"id"`
	Status      string           `json:"status"`
	DownloadURL string           `json:"download_url"`
	SizeBytes   int64            `json:"size_bytes"`
	Counts      map[string]int64 `json:"counts"`
	Error       string           `json:"error"`
}

// wait polls a job until it is done.
func (b *bench) wait(path, token string, j *job) error {
	for deadline := time.Now().Add(30 * time.Minute); j.Status != "done"; time.Sleep(50 * time.Millisecond) {
		if j.Status == "failed" || j.Status == "expired" || time.Now().After(deadline) {
			return fmt.Errorf("%s: %s %s", path, j.Status, j.Error)
		}
		if err := b.call("GET", path+j.ID, token, nil, j); err != nil {
			return err
		}
	}
	return nil
}

// exportImport seeds a workspace, exports it, downloads the archive and
// imports it into a new workspace of another Parley started from bin (an
// import keeps the ids, which are unique per server: moving to another
// Parley is what an import is for).
func (b *bench) exportImport(bin string, pid, convs, perConv int) (exportResult, error) {
	var r exportResult
	owner, key, err := b.signup("Export bench", "bench-export@example.com")
	if err != nil {
		return r, err
	}
	start := time.Now()
	if r.messages, err = b.seed(key, convs, perConv); err != nil {
		return r, err
	}
	r.seed = time.Since(start)

	stop := sampleRSS(pid)
	start = time.Now()
	var exp job
	if err := b.send(http.DefaultClient, "POST", "/api/v1/exports", owner, "", nil, &exp); err != nil {
		return r, err
	}
	if err := b.wait("/api/v1/exports/", owner, &exp); err != nil {
		return r, err
	}
	r.export = time.Since(start)
	start = time.Now()
	res, err := http.Get(b.url + exp.DownloadURL)
	if err != nil {
		return r, err
	}
	archive, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		return r, fmt.Errorf("download: %d %v", res.StatusCode, err)
	}
	r.download = time.Since(start)
	r.exportMem = stop()
	r.size = int64(len(archive))

	dst, err := startServer(bin)
	if err != nil {
		return r, err
	}
	defer dst.stop()
	other := &bench{url: dst.url}
	owner2, _, err := other.signup("Import bench", "bench-import@example.com")
	if err != nil {
		return r, err
	}
	stop = sampleRSS(dst.pid)
	start = time.Now()
	var imp job
	if err := other.send(http.DefaultClient, "POST", "/api/v1/imports", owner2, "application/zip", archive, &imp); err != nil {
		return r, err
	}
	if err := other.wait("/api/v1/imports/", owner2, &imp); err != nil {
		return r, err
	}
	r.imp = time.Since(start)
	r.importMem = stop()
	r.imported = imp.Counts["messages.jsonl"]
	if r.imported != exp.Counts["messages.jsonl"] {
		return r, fmt.Errorf("exported %d messages, imported %d", exp.Counts["messages.jsonl"], r.imported)
	}
	return r, nil
}

// seed has convs visitors each start a conversation and write perConv
// messages in it over the widget's REST API, 64 at a time. Visitors come
// from 250 loopback addresses, as from many computers (sessions are
// rate-limited per address). It returns the messages written.
func (b *bench) seed(key string, convs, perConv int) (int64, error) {
	clients := make([]*http.Client, 250)
	for i := range clients {
		src := &net.TCPAddr{IP: net.IPv4(127, 0, 3, byte(1+i))}
		clients[i] = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{LocalAddr: src}).DialContext,
			MaxIdleConnsPerHost: 4,
		}}
	}
	defer func() {
		for _, c := range clients {
			c.CloseIdleConnections()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var written atomic.Int64
	var once sync.Once
	var failed error
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range convs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for i := range next {
				if err := b.seedOne(clients[i%len(clients)], key, i, perConv, &written); err != nil {
					once.Do(func() { failed = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	return written.Load(), failed
}

func (b *bench) seedOne(c *http.Client, key string, i, perConv int, written *atomic.Int64) error {
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	if err := b.send(c, "POST", "/api/v1/widget/"+key+"/session", "", "application/json", []byte("{}"), &sess); err != nil {
		return err
	}
	body := func(j int) []byte {
		return fmt.Appendf(nil, `{"body":"Message %d of conversation %d: do you have these boots in size 39, and can you ship them by Friday?","client_msg_id":"e-%d-%d"}`, j, i, i, j)
	}
	var start struct {
		Conversation struct {
			ID string `json:"id"`
		} `json:"conversation"`
	}
	if err := b.send(c, "POST", "/api/v1/widget/conversations", sess.VisitorToken, "application/json", body(0), &start); err != nil {
		return err
	}
	written.Add(1)
	for j := 1; j < perConv; j++ {
		if err := b.send(c, "POST", "/api/v1/widget/conversations/"+start.Conversation.ID+"/messages", sess.VisitorToken, "application/json", body(j), nil); err != nil {
			return err
		}
		written.Add(1)
	}
	return nil
}
