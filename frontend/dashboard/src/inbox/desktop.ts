// Desktop notifications (the browser's Notification API) for an agent whose
// dashboard sits in a background tab: a new conversation, or a visitor's
// message in a conversation that is theirs or nobody's. Permission is asked
// only when the agent clicks the in-app prompt, never on load; the agent can
// turn them off (a preference kept in this browser).
import type { Conversation, Message } from '../api/types';

export type DesktopPermission = NotificationPermission | 'unsupported';

/** NotificationAPI is the part of window.Notification used here (a fake in tests). */
export interface NotificationAPI {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): Notification;
}

function api(): NotificationAPI | undefined {
  return typeof window !== 'undefined' && 'Notification' in window ? (window.Notification as unknown as NotificationAPI) : undefined;
}

export function desktopPermission(N: NotificationAPI | undefined = api()): DesktopPermission {
  return N ? N.permission : 'unsupported';
}

/** askDesktopPermission asks the browser; call it from a click. */
export async function askDesktopPermission(N: NotificationAPI | undefined = api()): Promise<DesktopPermission> {
  if (!N) return 'unsupported';
  try {
    return await N.requestPermission();
  } catch {
    return N.permission;
  }
}

/**
 * worthNotifying says whether a message deserves a desktop notification for
 * agent meId: a visitor's message that starts a conversation, or one in a
 * conversation assigned to meId or to nobody. conv is the conversation when
 * it is known.
 */
export function worthNotifying(m: Message, conv: Conversation | undefined, meId: string | undefined): boolean {
  if (m.author.type !== 'visitor' || m.private) return false;
  if (m.seq === 1) return true;
  if (!conv) return false;
  return !conv.assignee_id || conv.assignee_id === meId;
}

/** showDesktop shows one notification per conversation (a newer one replaces it); a click focuses the tab and opens it. */
export function showDesktop(
  opts: { conversationId: string; title: string; body: string; onOpen: (conversationId: string) => void },
  N: NotificationAPI | undefined = api(),
): Notification | null {
  if (!N || N.permission !== 'granted') return null;
  try {
    const n = new N(opts.title, { body: opts.body.length > 140 ? opts.body.slice(0, 139) + '…' : opts.body, tag: `parley-${opts.conversationId}` });
    n.onclick = () => {
      window.focus();
      opts.onOpen(opts.conversationId);
      n.close();
    };
    return n;
  } catch {
    // Some browsers only allow notifications from a service worker.
    return null;
  }
}
