// Package widgetweb serves the embeddable chat widget (frontend/widget,
// built by Vite straight into ./dist and embedded into the binary):
//
//   - GET /widget/<widget_key>.js — the tenant's loader: the built
//     dist/loader.js with the tenant's launcher settings inlined in place of
//     __PARLEY_CONFIG__. Cached for 60 s (settings changes show within a
//     minute). An unknown or disabled key gets a tiny script that logs one
//     console warning and does nothing, never an error page in the host's
//     console or a broken site.
//   - GET /widget/<widget_key>/frame — the chat panel's HTML page, loaded in
//     an iframe by the loader. Its Content-Security-Policy allows framing
//     only by the tenant's allowed domains (frame-ancestors; any site when
//     the list is empty) and runs only the nonce-tagged panel script; no
//     inline script ever runs. An unknown key gets a 404 page.
//   - GET /widget/assets/* — the panel's content-hashed JS and CSS,
//     immutable for a year.
//
// Invariants:
//   - Every response carries X-Content-Type-Options: nosniff and a correct
//     Content-Type; bodies are gzip-compressed when the client accepts it.
//     Assets are read and compressed once, at Register time; loaders are
//     compressed once per key and settings.
//   - Tenant strings reach the loader and the frame only as JSON produced by
//     encoding/json, which escapes <, >, & and U+2028/U+2029, so a business
//     name can never close a script or break the loader's syntax.
//   - Without a build (dist holds only .gitkeep), the loader answers a 503
//     problem that says how to build, and the frame a 503 page; nothing panics.
package widgetweb
