package service

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
)

// ServeDebug serves Go's profiler on addr (PARLEY_DEBUG_ADDR) in the
// background; it does nothing when addr is empty.
func ServeDebug(addr string, log *slog.Logger) {
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.Error("debug server", "addr", addr, "err", err)
		}
	}()
}
