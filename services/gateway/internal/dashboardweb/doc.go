// Package dashboardweb serves the dashboard single-page app (frontend/dashboard,
// built by Vite straight into ./dist and embedded into the binary) at "/".
//
// Invariants:
//   - Every response this package writes — pages, assets, 304s, 404s and the
//     "not built" 503 — carries the security headers: a Content-Security-Policy
//     with no 'unsafe-inline' or 'unsafe-eval' for scripts (a fresh nonce plus
//     'strict-dynamic' on HTML documents), frame-ancestors 'none',
//     object-src 'none', base-uri 'none', X-Content-Type-Options: nosniff,
//     X-Frame-Options: DENY and a strict Referrer-Policy.
//   - index.html answers every GET/HEAD path that is not reserved for the API
//     (/api, /widget, /.well-known, /healthz, /readyz, /metrics, /webhooks), is
//     not an asset and does not look like a file (no dot in its last segment):
//     the SPA fallback. Reserved and non-GET paths get the API's problem+json
//     404 through Deps.APINotFound, so the JSON API never answers with HTML.
//   - Hashed files under /assets/ are immutable and cached for a year; HTML is
//     "no-cache" and, because it carries a per-request nonce, has no validator
//     (a 304 would pair a new CSP nonce with an old cached body).
//   - Without a build (dist holds only .gitkeep), "/" answers 503 with a page
//     that says how to build; nothing panics.
//
// The files are read once at Register time and kept in memory with their
// gzip form, so a request never touches the filesystem or compresses an asset.
package dashboardweb
