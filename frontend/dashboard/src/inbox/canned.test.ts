import { describe, expect, it } from 'vitest';
import type { CannedResponse } from '../api/types';
import { cannedQuery, filterCanned } from './canned';

const c = (shortcut: string, body: string): CannedResponse => ({ id: shortcut, shortcut, body, created_at: '', updated_at: '' });
const list = [
  c('shipping', 'We ship in 3–5 days.'),
  c('refund', 'Refunds take 5 days; shipping costs are not refunded.'),
  c('hours', 'We are open 9 to 5.'),
  c('reship', 'We will send it again.'),
  c('café', 'Our café opens at 8.'),
];

describe('cannedQuery', () => {
  it('recognises a leading slash command only', () => {
    expect(cannedQuery('/')).toBe('');
    expect(cannedQuery('/ship')).toBe('ship');
    expect(cannedQuery('/ship ')).toBeNull();
    expect(cannedQuery('hello /ship')).toBeNull();
    expect(cannedQuery('ship')).toBeNull();
    expect(cannedQuery('//x')).toBeNull();
  });
});

describe('filterCanned', () => {
  it('lists everything by shortcut for an empty query', () => {
    expect(filterCanned(list, '').map((x) => x.shortcut)).toEqual(['café', 'hours', 'refund', 'reship', 'shipping']);
  });
  it('ranks shortcut prefixes, then shortcut substrings, then bodies', () => {
    expect(filterCanned(list, 'ship').map((x) => x.shortcut)).toEqual(['shipping', 'reship', 'refund']);
  });
  it('ignores case and accents', () => {
    expect(filterCanned(list, 'CAFE').map((x) => x.shortcut)).toEqual(['café']);
  });
  it('returns nothing when nothing matches, and honours the limit', () => {
    expect(filterCanned(list, 'zzz')).toEqual([]);
    expect(filterCanned(list, '', 2)).toHaveLength(2);
  });
});
