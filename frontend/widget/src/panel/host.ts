// Who the panel talks to: the page that framed it, identified by the exact
// origin the loader put in the frame URL's fragment. The claim is checked
// against the browser's own record of the embedding origin when it has one
// (location.ancestorOrigins) and against the tenant's allowed domains. A
// page that lies about its origin gains nothing: messages are posted only
// to the claimed origin, and accepted only from it and from window.parent.
import { originAllowed, parseOrigin } from '../shared/origin'

export type HostCheck = { ok: true; origin: string } | { ok: false; reason: 'origin' | 'ancestor' | 'allowed' }

export function checkHost(claimed: string, ancestors: ArrayLike<string> | undefined, allowed: readonly string[]): HostCheck {
  if (!parseOrigin(claimed)) return { ok: false, reason: 'origin' }
  if (ancestors && ancestors.length > 0 && ancestors[0] !== claimed) return { ok: false, reason: 'ancestor' }
  if (!originAllowed(claimed, allowed)) return { ok: false, reason: 'allowed' }
  return { ok: true, origin: claimed }
}

/** accept says whether a MessageEvent comes from the host page itself. */
export function accept(e: { origin: string; source: unknown }, origin: string, parent: unknown): boolean {
  return e.source === parent && e.origin === origin
}
