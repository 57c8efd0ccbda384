// Files in the chat, the pure part: sizes for people, the checks against the
// tenant's upload policy made before a byte is sent, what a refused upload
// says, and URLs only on Parley's own origin.
import { fill, type Strings } from './i18n'
import type { Attachment, UploadPolicy } from './types'

/** MAX_FILES is how many files one message may carry (contracts.MaxAttachments). */
export const MAX_FILES = 10

const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte']

/** humanSize is a byte count for people, in 1024 steps: "5 bytes", "1.5 kB", "1,5 Mo". */
export function humanSize(n: number, locale: string): string {
  let v = Math.max(0, n || 0)
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: units[i], unitDisplay: i ? 'short' : 'long', maximumFractionDigits: i && v < 10 ? 1 : 0 }).format(v)
}

const ext = (name: string) => (/\.([a-z0-9]{1,8})$/i.exec(name)?.[1] || '').toLowerCase()

const byExt: Record<string, string> = {}
for (const [kind, list] of Object.entries({
  image: 'png jpg jpeg gif webp',
  document: 'pdf txt csv md rtf doc docx xls xlsx ppt pptx odt ods odp',
  archive: 'zip gz tgz 7z rar tar',
  media: 'mp3 m4a wav ogg oga mp4 m4v mov webm',
})) for (const e of list.split(' ')) byExt[e] = kind

/**
 * kindOf guesses a file's kind (contracts.FileKind*) from its type and name,
 * as the server will from its bytes; the server has the last word (415).
 */
export function kindOf(type: string, name: string): string {
  const t = (type || '').toLowerCase()
  if (/^image\/(png|jpeg|gif|webp)$/.test(t)) return 'image'
  if (/^(audio|video)\//.test(t)) return 'media'
  if (/^(application\/pdf|text\/(plain|csv))$/.test(t)) return 'document'
  if (/^application\/(zip|gzip|x-gzip|x-7z-compressed|x-rar-compressed|vnd\.rar|x-tar)$/.test(t)) return 'archive'
  // HTML, SVG, XML and scripts are never shown, whatever their name says.
  if (/html|svg|xml|javascript/.test(t)) return 'other'
  return byExt[ext(name)] || 'other'
}

export interface FileLike {
  name: string
  size: number
  type: string
}

/** checkFile is why policy refuses f ("" when it may be sent). */
export function checkFile(f: FileLike, p: UploadPolicy, t: Strings, locale: string): string {
  if (!p.enabled) return t.filesOff
  if (p.storage_full) return fill(t.storageFull, { f: f.name })
  if (!f.size) return fill(t.fileEmpty, { f: f.name })
  if (p.max_file_bytes > 0 && f.size > p.max_file_bytes) return fill(t.fileTooBig, { f: f.name, s: humanSize(p.max_file_bytes, locale) })
  const kinds = p.kinds || []
  if (kinds.length && !kinds.includes(kindOf(f.type, f.name))) return fill(t.fileKind, { f: f.name })
  return ''
}

/** uploadError is what a refused upload of name says, from the server's answer. */
export function uploadError(status: number, detail: string, name: string, p: UploadPolicy | null, t: Strings, locale: string): string {
  if (status === 413) return /storage/i.test(detail) ? fill(t.storageFull, { f: name }) : fill(t.fileTooBig, { f: name, s: humanSize(p?.max_file_bytes || 0, locale) })
  if (status === 415) return fill(t.fileKind, { f: name })
  if (status === 429) return t.upBusy
  if (status === 403) return t.filesOff
  return fill(t.upFailed, { f: name })
}

/**
 * parleyUrl is base + path for a path on Parley's origin (file, thumbnail,
 * photo, logo), or null for anything else: never another site's URL.
 */
export function parleyUrl(base: string, path: unknown): string | null {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.length > 4096) return null
  try {
    const u = new URL(base + path)
    return u.origin === new URL(base).origin ? u.href : null
  } catch {
    return null
  }
}

/** expired says whether a's signed URLs have stopped working (or will within a few seconds). */
export const expired = (a: Attachment, now = Date.now()) => !!a.expires_at && Date.parse(a.expires_at) - 5000 <= now

/** isImage: shown as a thumbnail (the server re-encoded it); anything else is a download card. */
export const isImage = (a: Attachment) => a.kind === 'image' && !!a.thumbnail_url && /^image\/(png|jpeg|gif|webp)$/.test(a.content_type)

/**
 * typeLabel names a file's type shortly from its sniffed content type
 * ("PDF", "HTML" for an HTML file named .png), else from its name.
 */
export function typeLabel(a: Attachment): string {
  const sub = (/^[a-z]+\/(?:x-)?([a-z0-9.+-]+)/i.exec(a.content_type || '')?.[1] || '').replace(/^plain$/i, 'txt')
  if (sub && sub.length <= 8 && sub !== 'octet-stream') return sub.toUpperCase()
  return ext(a.name).toUpperCase() || a.content_type || '?'
}
