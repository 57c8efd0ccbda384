import { describe, expect, it } from 'vitest';
import type { Author, Conversation, Message } from '../api/types';
import { card, chosenLabel, quickReplies, waitText } from './rich';
import { defaultFilter, initialInbox, matchesFilter, visibleList } from './state';

const bot: Author = { type: 'bot', name: 'Robin' };
const visitor: Author = { type: 'visitor', id: 'v1' };
const msg = (seq: number, author: Author, over: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  conversation_id: 'c1',
  seq,
  author,
  body: `message ${seq}`,
  kind: 'text',
  private: false,
  created_at: new Date(Date.UTC(2026, 2, 2, 10, seq)).toISOString(),
  ...over,
});

describe('rich payloads', () => {
  it('reads quick replies and cards defensively', () => {
    expect(quickReplies({ text: 'Pick', options: [{ label: 'A', value: 'a' }, { label: 'B' }, { value: 'x' }, null] })).toEqual({
      text: 'Pick',
      options: [
        { label: 'A', value: 'a' },
        { label: 'B', value: 'B' },
      ],
    });
    expect(quickReplies(JSON.stringify({ options: [{ label: 'A', value: 'a' }] }))?.options).toHaveLength(1);
    expect(quickReplies({ options: 'nope' })).toBeNull();
    expect(quickReplies('not json')).toBeNull();
    expect(card({ title: 'T', buttons: [{ label: 'Go', url: 'https://x.example' }, { label: '' }] })).toEqual({ title: 'T', text: '', buttons: [{ label: 'Go', value: undefined, url: 'https://x.example' }] });
    expect(card({})).toBeNull();
    expect(card([1, 2])).toBeNull();
  });

  it('names the option a visitor clicked', () => {
    const qr = msg(1, bot, { kind: 'quick_replies', body: 'Anything else?', payload: { text: 'Anything else?', options: [{ label: 'Talk to a person', value: 'handoff' }, { label: 'No', value: 'No' }] } });
    const list = [qr, msg(2, visitor, { body: 'handoff' }), msg(3, visitor, { body: 'No' }), msg(4, bot), msg(5, visitor, { body: 'handoff' })];
    expect(chosenLabel(list, 1)).toBe('Talk to a person');
    expect(chosenLabel(list, 2)).toBeUndefined(); // the previous message is the visitor's own
    expect(chosenLabel(list, 4)).toBeUndefined(); // the last bot message offered nothing
    expect(chosenLabel(list, 0)).toBeUndefined();
    // System messages in between do not hide the offer.
    const withSystem = [qr, msg(2, { type: 'system' }, { body: 'Ann joined the conversation' }), msg(3, visitor, { body: 'handoff' })];
    expect(chosenLabel(withSystem, 2)).toBe('Talk to a person');
  });
});

describe('the queue', () => {
  it('formats the expected wait', () => {
    expect(waitText(0)).toBe('');
    expect(waitText(undefined)).toBe('');
    expect(waitText(20, 'en')).toBe('under a minute');
    expect(waitText(60, 'en')).toBe('1 minute');
    expect(waitText(170, 'en')).toBe('3 minutes');
    expect(waitText(2 * 3600, 'en')).toBe('2 hours');
  });

  const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
    id,
    status: 'open',
    priority: 'none',
    labels: [],
    visitor: { id: 'v' + id, verified: false, created_at: '', last_seen_at: '' },
    last_seq: 1,
    unread_count: 0,
    agent_read_seq: 0,
    visitor_read_seq: 0,
    created_at: '2026-03-02T10:00:00Z',
    updated_at: '2026-03-02T10:00:00Z',
    last_activity_at: '2026-03-02T10:00:00Z',
    ...over,
  });

  it('filters the queue and orders it by position', () => {
    const f = { ...defaultFilter, assignee: 'queued' as const };
    expect(matchesFilter(conv('a', { handoff: 'queued' }), f, 'me')).toBe(true);
    expect(matchesFilter(conv('b', { handoff: 'bot' }), f, 'me')).toBe(false);
    expect(matchesFilter(conv('c'), f, 'me')).toBe(false);
    const byId = {
      a: conv('a', { handoff: 'queued', queue: { position: 2, wait_seconds: 60 }, last_activity_at: '2026-03-02T11:00:00Z' }),
      b: conv('b', { handoff: 'queued', queue: { position: 1, wait_seconds: 0 } }),
      c: conv('c', { handoff: 'agent' }),
    };
    expect(visibleList({ ...initialInbox, byId, filter: f }, 'me').map((c) => c.id)).toEqual(['b', 'a']);
    expect(visibleList({ ...initialInbox, byId, filter: { ...f, assignee: 'all' } }, 'me').map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });
});
