import { describe, expect, it, vi } from 'vitest';
import type { Conversation, Message } from '../api/types';
import { askDesktopPermission, desktopPermission, showDesktop, worthNotifying, type NotificationAPI } from './desktop';

const msg = (over: Partial<Message>): Message => ({
  id: 'm1',
  conversation_id: 'c1',
  seq: 2,
  author: { type: 'visitor', id: 'v1' },
  kind: 'text',
  body: 'Hello?',
  private: false,
  created_at: '',
  ...over,
} as Message);
const conv = (assignee?: string) => ({ id: 'c1', assignee_id: assignee }) as Conversation;

/** fakeNotifications records what would have been shown. */
function fakeNotifications(permission: NotificationPermission, answer: NotificationPermission = 'granted') {
  const shown: { title: string; options?: NotificationOptions; n: { onclick: (() => void) | null; close: () => void } }[] = [];
  const N = class {
    static permission = permission;
    static requestPermission = vi.fn(async () => {
      N.permission = answer;
      return answer;
    });
    onclick: (() => void) | null = null;
    close = vi.fn();
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, options, n: this });
    }
  };
  return { N: N as unknown as NotificationAPI & { requestPermission: ReturnType<typeof vi.fn> }, shown };
}

describe('desktop notifications', () => {
  it('are for new chats and visitor messages in my or unassigned conversations', () => {
    expect(worthNotifying(msg({ seq: 1 }), undefined, 'me')).toBe(true);
    expect(worthNotifying(msg({ seq: 1 }), conv('someone'), 'me')).toBe(true);
    expect(worthNotifying(msg({}), conv('me'), 'me')).toBe(true);
    expect(worthNotifying(msg({}), conv(undefined), 'me')).toBe(true);
    expect(worthNotifying(msg({}), conv('someone'), 'me')).toBe(false);
    expect(worthNotifying(msg({}), undefined, 'me')).toBe(false);
    expect(worthNotifying(msg({ author: { type: 'agent', id: 'me' } }), conv('me'), 'me')).toBe(false);
    expect(worthNotifying(msg({ author: { type: 'bot', id: 'bot' } }), conv(undefined), 'me')).toBe(false);
  });

  it('ask for permission only when asked to, and show nothing without it', async () => {
    const { N, shown } = fakeNotifications('default');
    expect(desktopPermission(N)).toBe('default');
    expect(showDesktop({ conversationId: 'c1', title: 'x', body: 'y', onOpen: () => {} }, N)).toBeNull();
    expect(shown).toHaveLength(0);
    expect(N.requestPermission).not.toHaveBeenCalled();
    expect(await askDesktopPermission(N)).toBe('granted');
    expect(desktopPermission(undefined)).toBe('unsupported');
  });

  it('show one per conversation; a click focuses the tab and opens the conversation', () => {
    const { N, shown } = fakeNotifications('granted');
    const onOpen = vi.fn();
    const focus = vi.spyOn(window, 'focus').mockImplementation(() => {});
    showDesktop({ conversationId: 'c42', title: 'New chat from Ann', body: 'x'.repeat(300), onOpen }, N);
    expect(shown).toHaveLength(1);
    expect(shown[0].title).toBe('New chat from Ann');
    expect(shown[0].options?.tag).toBe('parley-c42');
    expect(shown[0].options?.body?.length).toBe(140);
    shown[0].n.onclick?.();
    expect(focus).toHaveBeenCalled();
    expect(onOpen).toHaveBeenCalledWith('c42');
    expect(shown[0].n.close).toHaveBeenCalled();
  });
});
