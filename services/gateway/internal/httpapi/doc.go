// Package httpapi is the gateway's HTTP face (gin): the REST API under
// /api/v1, the JWKS, and the health endpoints. Every handler authenticates,
// decodes strictly, turns the call into one NATS request and maps the answer
// back; it owns no data.
//
// Invariants:
//   - The tenant and role of a request come only from a verified token (and
//     identity's revocation events), never from the path, a header or the body.
//   - Request bodies are JSON, at most 1 MiB, with no unknown fields; any
//     failure is a problem+json 400/413/415 naming the field, never a 500.
//     The one exception is an import's archive (POST /imports), streamed into
//     the Object Store up to PARLEY_IMPORT_MAX_BYTES; it and an export's
//     download are bounded by PARLEY_DATA_TRANSFER_TIMEOUT instead of the
//     request timeout.
//   - Files in the chat, photos and logos come in the same way: the multipart
//     field "file" is streamed (never buffered whole, never spilled to disk)
//     into the upload bucket within the plan's limit, refused with 413 from
//     Content-Length before a byte is read or at one byte over, then handed
//     to the service that owns the record; an upload it refused is deleted.
//   - Every file served (signed attachment URLs, public photos and logos)
//     carries nosniff, "Content-Security-Policy: default-src 'none'; sandbox"
//     and a Content-Disposition that is "attachment" unless the owner said
//     the type is safe inline, so no uploaded byte runs in Parley's origin.
//   - Principals and actors carry the caller's IP (c.ClientIP(): the peer, or
//     X-Forwarded-For from PARLEY_TRUSTED_PROXIES only) and a member's name,
//     for the audit log.
//   - Log lines carry the route template, never the raw path, so tokens in
//     paths (invite acceptance) never reach a log.
package httpapi
