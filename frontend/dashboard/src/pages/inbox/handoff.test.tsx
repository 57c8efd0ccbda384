import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../api/types';
import { handoffText } from './Handoff';
import { RichPayload } from './RichPayload';

const conv = (over: Partial<Conversation>): Conversation => ({
  id: 'c1',
  status: 'open',
  priority: 'none',
  labels: [],
  visitor: { id: 'v1', verified: false, created_at: '', last_seen_at: '' },
  last_seq: 1,
  unread_count: 0,
  agent_read_seq: 0,
  visitor_read_seq: 0,
  created_at: '',
  updated_at: '',
  last_activity_at: '',
  ...over,
});

describe('hand-off indicator', () => {
  it('says who has the conversation', () => {
    expect(handoffText(conv({ handoff: 'bot' }), undefined)).toBe('The bot is answering');
    expect(handoffText(conv({ handoff: 'queued', queue: { position: 2, wait_seconds: 180 } }), undefined)).toBe('Waiting for a person · number 2 in the queue, about 3 minutes');
    expect(handoffText(conv({ handoff: 'queued', queue: { position: 1, wait_seconds: 0 } }), undefined)).toBe('Waiting for a person · number 1 in the queue');
    expect(handoffText(conv({ handoff: 'queued' }), undefined)).toBe('Waiting for a person');
    expect(handoffText(conv({ handoff: 'agent' }), 'Ann')).toBe('With Ann');
    expect(handoffText(conv({ handoff: 'agent' }), undefined)).toBe('With your team');
    expect(handoffText(conv({}), undefined)).toBe('');
  });
});

describe('bot messages in the inbox', () => {
  const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  const m = (over: Partial<Message>): Message => ({
    id: 'm1',
    conversation_id: 'c1',
    seq: 1,
    author: { type: 'bot', name: 'Robin' },
    body: 'Pick one',
    kind: 'text',
    private: false,
    created_at: '2026-03-02T10:00:00Z',
    ...over,
  });

  it('renders quick replies and cards read-only, as text', () => {
    const { container } = render(
      <>
        <RichPayload m={m({ kind: 'quick_replies', payload: { text: 'Pick one', options: [{ label: evil, value: 'x' }, { label: 'Talk to a person', value: 'handoff' }] } })} />
        <RichPayload
          m={m({
            kind: 'card',
            body: '',
            payload: { title: evil, text: 'Pro plan', image_url: 'javascript:alert(3)', buttons: [{ label: 'Docs', url: 'https://docs.example/x' }, { label: 'Bad', url: 'javascript:alert(4)' }, { label: 'Buy', value: 'buy' }] },
          })}
        />
      </>,
    );
    expect(container.querySelectorAll('img, script, button, input').length).toBe(0);
    expect(container.textContent).toContain(evil);
    expect([...container.querySelectorAll('.chip')].map((c) => c.textContent)).toEqual([evil, 'Talk to a person', 'Docs', 'Bad', 'Buy']);
    expect([...container.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://docs.example/x']);
  });
});
