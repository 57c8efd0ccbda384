// Storage in the iframe (Parley's origin, partitioned per top-level site by
// the browser). No cookies are used. When localStorage is blocked the panel
// still works for the page's lifetime.
import type { KV } from './outbox'

export function storage(): KV {
  try {
    const ls = window.localStorage
    const probe = '__parley'
    ls.setItem(probe, '1')
    ls.removeItem(probe)
    return {
      get: (k) => ls.getItem(k),
      set: (k, v) => {
        try {
          ls.setItem(k, v)
        } catch {
          /* full: keep going */
        }
      },
      del: (k) => ls.removeItem(k),
    }
  } catch {
    return memory()
  }
}

export function memory(): KV {
  const m = new Map<string, string>()
  return { get: (k) => m.get(k) ?? null, set: (k, v) => void m.set(k, v), del: (k) => void m.delete(k) }
}

/** The visitor token and whose identity it was issued for. */
export interface Saved {
  token: string
  visitor: string
  identity: string | null // the verified identity id, null for anonymous
}

export function loadSaved(kv: KV, key: string): Saved | null {
  try {
    const s = JSON.parse(kv.get(key) || 'null')
    return s && typeof s.token === 'string' ? s : null
  } catch {
    return null
  }
}

/**
 * tokenFor decides whether a saved visitor token may be sent with the
 * session request. A token issued for a verified identity is reused only
 * when the page identifies the same user again; after a logout (no
 * identity) or for another user it is dropped, so a shared browser never
 * shows one user's conversations to the next. An anonymous token goes
 * along with a first identify, so what the visitor wrote before logging in
 * can follow them; the server decides.
 */
export function tokenFor(saved: Saved | null, identityId: string | null): string | undefined {
  if (!saved) return undefined
  const was = saved.identity || null
  return was === identityId || was === null ? saved.token : undefined
}
