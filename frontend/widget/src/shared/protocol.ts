// The small typed protocol between the loader (host page) and the panel
// (iframe). Every message carries parley: 1 and a type; both sides check
// the sender's exact origin and window before reading anything else, and
// always post with an exact target origin (never "*").

export interface Identity {
  id: string
  name?: string
  email?: string
  user_hash?: string
}

export type Attributes = Record<string, string>

/** The visitor token and whose identity it was issued for, as the loader keeps it. */
export interface Saved {
  token: string
  visitor: string
  identity: string | null // the verified identity id, null for anonymous
}

/** Host → panel. */
export type HostMsg =
  | { parley: 1; type: 'init'; identity: Identity | null; attributes: Attributes; dark: boolean; url: string; open: boolean; reset: boolean; saved: Saved | null; conv: string; name: string }
  | { parley: 1; type: 'identify'; identity: Identity | null }
  | { parley: 1; type: 'attributes'; attributes: Attributes }
  | { parley: 1; type: 'reset' }
  | { parley: 1; type: 'visible'; open: boolean }
  | { parley: 1; type: 'scheme'; dark: boolean }
  | { parley: 1; type: 'conv'; conv: string }

/** A message as the host page's on('message') handlers see it. */
export interface HostMessageEvent {
  id: string
  conversation_id: string
  seq: number
  kind: string
  body: string
  author: { type: string; name?: string }
}

/** Panel → host. */
export type PanelMsg =
  | { parley: 1; type: 'ready' }
  | { parley: 1; type: 'close' }
  | { parley: 1; type: 'unread'; count: number }
  | { parley: 1; type: 'token'; saved: Saved | null }
  | { parley: 1; type: 'message'; message: HostMessageEvent }
  | { parley: 1; type: 'error'; code: string; detail: string }

/** isMsg checks the envelope of a received message. */
export function isMsg(d: unknown): d is { parley: 1; type: string } {
  return typeof d === 'object' && d !== null && (d as { parley?: unknown }).parley === 1 && typeof (d as { type?: unknown }).type === 'string'
}

/** Attributes keeps string, number and boolean values, as strings. */
export function cleanAttributes(a: unknown): Attributes {
  const out: Attributes = {}
  if (typeof a !== 'object' || a === null) return out
  for (const [k, v] of Object.entries(a)) {
    if (k.length > 100 || Object.keys(out).length >= 50) continue
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v).slice(0, 1000)
  }
  return out
}

/** cleanIdentity keeps the four known string fields; null without an id. */
export function cleanIdentity(i: unknown): Identity | null {
  if (typeof i !== 'object' || i === null) return null
  const r = i as Record<string, unknown>
  const s = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)
  const id = s(r.id)
  if (!id) return null
  const out: Identity = { id }
  const name = s(r.name)
  const email = s(r.email)
  const hash = s(r.user_hash)
  if (name) out.name = name
  if (email) out.email = email
  if (hash) out.user_hash = hash
  return out
}

/** cleanSaved keeps a well-formed saved token; null otherwise. */
export function cleanSaved(v: unknown): Saved | null {
  const s = v as Saved | null
  return s && typeof s === 'object' && typeof s.token === 'string' && typeof s.visitor === 'string' ? { token: s.token, visitor: s.visitor, identity: typeof s.identity === 'string' ? s.identity : null } : null
}
