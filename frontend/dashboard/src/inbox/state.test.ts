import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../api/types';
import {
  applyMessage,
  byActivity,
  inboxReducer,
  initialInbox,
  matchesFilter,
  mergeConversation,
  mergeMessages,
  unreadTotal,
  visibleList,
  type InboxState,
} from './state';

const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  status: 'open',
  priority: 'none',
  labels: [],
  visitor: { id: `v-${id}`, verified: false, created_at: '2025-01-01T00:00:00Z', last_seen_at: '2025-01-01T00:00:00Z' },
  last_seq: 1,
  unread_count: 0,
  agent_read_seq: 1,
  visitor_read_seq: 1,
  created_at: '2025-01-01T10:00:00Z',
  updated_at: '2025-01-01T10:00:00Z',
  last_activity_at: '2025-01-01T10:00:00Z',
  ...over,
});

const msg = (cid: string, seq: number, over: Partial<Message> = {}): Message => ({
  id: `${cid}-m${seq}`,
  conversation_id: cid,
  seq,
  author: { type: 'visitor', id: `v-${cid}` },
  body: `message ${seq}`,
  kind: 'text',
  private: false,
  created_at: `2025-01-01T11:00:${String(seq).padStart(2, '0')}Z`,
  ...over,
});

const loaded = (cs: Conversation[], filter = initialInbox.filter): InboxState =>
  inboxReducer({ ...initialInbox, filter }, { type: 'loaded', conversations: cs, append: false });

describe('ordering by activity', () => {
  it('puts the newest activity first, with a stable tie-break', () => {
    const a = conv('a', { last_activity_at: '2025-01-01T10:00:00Z' });
    const b = conv('b', { last_activity_at: '2025-01-01T12:00:00Z' });
    const c = conv('c', { last_activity_at: '2025-01-01T10:00:00Z' });
    expect([a, b, c].sort(byActivity).map((x) => x.id)).toEqual(['b', 'a', 'c']);
  });

  it('moves a conversation to the top when a message arrives', () => {
    let s = loaded([conv('old', { last_activity_at: '2025-01-01T09:00:00Z' }), conv('new', { last_activity_at: '2025-01-01T10:30:00Z' })], {
      assignee: 'all',
      status: 'open',
      q: '',
    });
    expect(visibleList(s, 'me').map((c) => c.id)).toEqual(['new', 'old']);
    s = inboxReducer(s, { type: 'message', message: msg('old', 2), viewing: false });
    expect(visibleList(s, 'me').map((c) => c.id)).toEqual(['old', 'new']);
  });

  it('shows a new conversation from an event at the top of a matching list', () => {
    let s = loaded([conv('a')], { assignee: 'unassigned', status: 'open', q: '' });
    s = inboxReducer(s, { type: 'upsert', conversation: conv('fresh', { last_activity_at: '2025-01-02T00:00:00Z' }) });
    expect(visibleList(s, 'me').map((c) => c.id)).toEqual(['fresh', 'a']);
    // Assigned to someone else: it leaves the "unassigned" list live.
    s = inboxReducer(s, { type: 'upsert', conversation: conv('fresh', { assignee_id: 'bob', updated_at: '2025-01-02T00:00:01Z', last_activity_at: '2025-01-02T00:00:00Z' }) });
    expect(visibleList(s, 'me').map((c) => c.id)).toEqual(['a']);
  });

  it('keeps search results to what the server matched', () => {
    let s = loaded([conv('hit')], { assignee: 'all', status: 'all', q: 'refund' });
    s = inboxReducer(s, { type: 'upsert', conversation: conv('other', { last_activity_at: '2025-02-01T00:00:00Z' }) });
    expect(visibleList(s, 'me').map((c) => c.id)).toEqual(['hit']);
  });
});

describe('filters', () => {
  it('matches mine, unassigned, all and status', () => {
    const f = (assignee: 'mine' | 'unassigned' | 'all', status: 'open' | 'all' = 'open') => ({ assignee, status, q: '' });
    expect(matchesFilter(conv('a', { assignee_id: 'me' }), f('mine'), 'me')).toBe(true);
    expect(matchesFilter(conv('a', { assignee_id: 'bob' }), f('mine'), 'me')).toBe(false);
    expect(matchesFilter(conv('a'), f('mine'), 'me')).toBe(false);
    expect(matchesFilter(conv('a'), f('unassigned'), 'me')).toBe(true);
    expect(matchesFilter(conv('a', { assignee_id: 'bob' }), f('unassigned'), 'me')).toBe(false);
    expect(matchesFilter(conv('a', { status: 'resolved' }), f('all'), 'me')).toBe(false);
    expect(matchesFilter(conv('a', { status: 'resolved' }), f('all', 'all'), 'me')).toBe(true);
  });
});

describe('unread counting', () => {
  it('counts visitor messages the agent is not looking at', () => {
    let c = conv('a', { last_seq: 3, agent_read_seq: 3 });
    c = applyMessage(c, msg('a', 4), false);
    c = applyMessage(c, msg('a', 5), false);
    expect(c.unread_count).toBe(2);
    expect(c.last_seq).toBe(5);
    expect(c.last_message?.body).toBe('message 5');
  });

  it('never counts the same message twice (duplicate or replayed events)', () => {
    let c = conv('a', { last_seq: 3 });
    c = applyMessage(c, msg('a', 4), false);
    c = applyMessage(c, msg('a', 4), false);
    c = applyMessage(c, msg('a', 2), false);
    expect(c.unread_count).toBe(1);
  });

  it('does not count while the agent views the conversation, nor agent messages or notes', () => {
    let c = conv('a', { last_seq: 1 });
    c = applyMessage(c, msg('a', 2), true);
    expect(c.unread_count).toBe(0);
    expect(c.agent_read_seq).toBe(2);
    c = applyMessage(c, msg('a', 3), false);
    expect(c.unread_count).toBe(1);
    c = applyMessage(c, msg('a', 4, { author: { type: 'agent', id: 'me' }, private: true, body: 'note' }), false);
    expect(c.unread_count).toBe(1);
    expect(c.last_message?.body).toBe('message 3'); // a note is never the preview
    c = applyMessage(c, msg('a', 5, { author: { type: 'agent', id: 'me' }, body: 'hello' }), false);
    expect(c.unread_count).toBe(0);
  });

  it('sums unread for the tab title over open conversations that are mine or nobody’s', () => {
    const byId = {
      a: conv('a', { unread_count: 2 }),
      b: conv('b', { unread_count: 3, assignee_id: 'me' }),
      c: conv('c', { unread_count: 5, assignee_id: 'bob' }),
      d: conv('d', { unread_count: 7, status: 'resolved' }),
      e: conv('e', { unread_count: 1, status: 'pending' }),
    };
    expect(unreadTotal(byId, 'me')).toBe(6);
  });

  it('clears the count on read', () => {
    let s = loaded([conv('a', { last_seq: 4, unread_count: 3, agent_read_seq: 1 })]);
    s = inboxReducer(s, { type: 'read', conversationId: 'a', seq: 4 });
    expect(s.byId.a.unread_count).toBe(0);
  });
});

describe('merging', () => {
  it('ignores an older snapshot that would roll back the last message', () => {
    const fresh = conv('a', { last_seq: 5, updated_at: '2025-01-01T12:00:00Z', unread_count: 2 });
    const stale = conv('a', { last_seq: 3, updated_at: '2025-01-01T11:00:00Z' });
    expect(mergeConversation(fresh, stale)).toBe(fresh);
  });

  it('takes a newer status but keeps the newer message', () => {
    const local = conv('a', { last_seq: 5, last_activity_at: '2025-01-01T12:00:00Z', unread_count: 1 });
    const update = conv('a', { last_seq: 4, status: 'resolved', updated_at: '2025-01-01T12:00:01Z' });
    const m = mergeConversation(local, update);
    expect(m.status).toBe('resolved');
    expect(m.last_seq).toBe(5);
    expect(m.last_activity_at).toBe('2025-01-01T12:00:00Z');
  });

  it('keeps messages in seq order without duplicates', () => {
    const out = mergeMessages([msg('a', 1), msg('a', 3)], [msg('a', 2), msg('a', 3)]);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('stops the typing indicator when the visitor sends', () => {
    let s = loaded([conv('a')]);
    s = inboxReducer(s, { type: 'typing', conversationId: 'a', author: { type: 'visitor' }, typing: true, now: 0 });
    expect(s.typing.a).toBeTruthy();
    s = inboxReducer(s, { type: 'message', message: msg('a', 2), viewing: false });
    expect(s.typing.a).toBeUndefined();
    s = inboxReducer(s, { type: 'typing', conversationId: 'a', author: { type: 'visitor' }, typing: true, now: 0 });
    s = inboxReducer(s, { type: 'expireTyping', now: 10_000 });
    expect(s.typing.a).toBeUndefined();
  });
});

describe('erasing a visitor', () => {
  it('drops their conversations, messages and typing state, and nobody else’s', () => {
    const mine = conv('a', { visitor: { ...conv('a').visitor, id: 'v-erased' } });
    const alsoMine = conv('b', { visitor: { ...conv('b').visitor, id: 'v-erased' } });
    const other = conv('c');
    let s = loaded([mine, alsoMine, other], { assignee: 'all', status: 'all', q: '' });
    s = inboxReducer(s, { type: 'messages', conversationId: 'a', messages: [msg('a', 1)] });
    s = inboxReducer(s, { type: 'messages', conversationId: 'c', messages: [msg('c', 1)] });
    s = inboxReducer(s, { type: 'typing', conversationId: 'b', author: { type: 'visitor' }, typing: true, now: 0 });
    const after = inboxReducer(s, { type: 'visitorErased', visitorId: 'v-erased' });
    expect(Object.keys(after.byId)).toEqual(['c']);
    expect(after.listIds).toEqual(['c']);
    expect(Object.keys(after.messages)).toEqual(['c']);
    expect(after.typing.b).toBeUndefined();
    expect(visibleList(after, undefined).map((c) => c.id)).toEqual(['c']);
    expect(inboxReducer(after, { type: 'visitorErased', visitorId: 'v-unknown' })).toBe(after);
  });

  it('drops conversations another tab or the retention sweep deleted, by id', () => {
    let s = loaded([conv('a'), conv('b'), conv('c')], { assignee: 'all', status: 'all', q: '' });
    s = inboxReducer(s, { type: 'messages', conversationId: 'b', messages: [msg('b', 1)] });
    const after = inboxReducer(s, { type: 'conversationsDeleted', ids: ['b', 'zz'] });
    expect(Object.keys(after.byId).sort()).toEqual(['a', 'c']);
    expect(after.listIds).not.toContain('b');
    expect(after.messages.b).toBeUndefined();
    expect(inboxReducer(after, { type: 'conversationsDeleted', ids: ['zz'] })).toBe(after);
  });
});
