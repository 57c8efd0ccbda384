// Storage in the iframe (Parley's origin, partitioned per top-level site by
// the browser, or blocked) for the offline outbox, and the visitor token's
// store. No cookies are used. When localStorage is blocked the outbox still
// works for the page's lifetime.
import type { KV } from './outbox'
import { cleanSaved, type Saved } from '../shared/protocol'

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

/** Where the visitor token lives: the host page's storage (through the loader) or the frame's own. */
export interface TokenStore {
  get(): Saved | null
  set(s: Saved | null): void
}

/** kvTokens keeps the token in the frame's storage (the standalone frame page). */
export function kvTokens(kv: KV, key: string): TokenStore {
  return {
    get: () => {
      try {
        return cleanSaved(JSON.parse(kv.get(key) || 'null'))
      } catch {
        return null
      }
    },
    set: (s) => (s ? kv.set(key, JSON.stringify(s)) : kv.del(key)),
  }
}

/**
 * hostTokens keeps the token in the host page's own storage: the loader
 * sends what it has in init (load) and stores what the panel sends back.
 * Cross-site, the frame's storage is blocked or partitioned; the host's is not.
 */
export function hostTokens(post: (s: Saved | null) => void): TokenStore & { load(s: Saved | null): void } {
  let cur: Saved | null = null
  return {
    load: (s) => void (cur = s),
    get: () => cur,
    set: (s) => {
      cur = s
      post(s)
    },
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
