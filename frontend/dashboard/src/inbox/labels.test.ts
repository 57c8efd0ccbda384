import { describe, expect, it } from 'vitest';
import type { Conversation } from '../api/types';
import { defaultFilter, labelChoices, matchesFilter } from './state';

const conv = (id: string, labels: string[]) => ({ id, status: 'open', labels }) as unknown as Conversation;

describe('the label filter', () => {
  it('keeps only conversations with the label, live too', () => {
    const f = { ...defaultFilter, assignee: 'all' as const, label: 'follow-up' };
    expect(matchesFilter(conv('a', ['follow-up', 'vip']), f, 'me')).toBe(true);
    expect(matchesFilter(conv('b', ['vip']), f, 'me')).toBe(false);
    expect(matchesFilter(conv('b', ['vip']), { ...f, label: '' }, 'me')).toBe(true);
  });

  it('offers follow-up first, then the labels in use', () => {
    expect(labelChoices([conv('a', ['vip', 'follow-up']), conv('b', ['billing'])], 'refund')).toEqual(['follow-up', 'billing', 'refund', 'vip']);
    expect(labelChoices([])).toEqual(['follow-up']);
  });
});
