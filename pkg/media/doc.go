// Package media decides what a file is and makes images safe to show.
//
// The rules every service that accepts a file follows:
//
//   - The type comes from the bytes (Sniff), never from the client's name,
//     extension or Content-Type. A PDF named photo.jpg is a document; an
//     HTML page named photo.png is HTML.
//   - HTML, SVG, XML, JavaScript and anything else a browser could run are
//     kind "other" and never Inline: they are only ever downloaded
//     (Content-Disposition: attachment, nosniff, a sandbox CSP).
//   - Images (PNG, JPEG, GIF, WebP) are decoded and re-encoded (Reencode,
//     Square, Fit), so what is stored and shown is pixels this package
//     wrote: metadata (EXIF with GPS, text chunks) and anything appended to
//     the file (polyglot HTML or zip payloads) are gone. The declared size
//     is checked before decoding, so a decompression bomb is refused
//     without allocating its pixels. JPEG's EXIF orientation is applied
//     first, since the tag that carried it is dropped.
//   - Re-encoded images, PDF and plain text are Inline; nothing else is.
//   - A file name is only shown, never used as a path (SafeName).
package media
