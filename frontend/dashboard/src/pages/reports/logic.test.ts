import { describe, expect, it } from 'vitest';
import { compare, formatDuration, lastDays, queryString, readQuery, toCSV } from './logic';

describe('formatDuration', () => {
  it('writes seconds, minutes, hours and days', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45.4)).toBe('45 s');
    expect(formatDuration(90)).toBe('1 min 30 s');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
  });
});

describe('compare', () => {
  it('points the arrow and judges it by which way is good', () => {
    expect(compare(10, 8, true)).toEqual({ direction: 'up', arrow: '▲', good: true });
    expect(compare(10, 8, false)).toEqual({ direction: 'up', arrow: '▲', good: false });
    expect(compare(60, 90, false)).toEqual({ direction: 'down', arrow: '▼', good: true });
    expect(compare(3, 3, true)).toEqual({ direction: 'same', arrow: '', good: null });
    expect(compare(null, 3, true)).toEqual({ direction: 'none', arrow: '', good: null });
  });
});

describe('toCSV', () => {
  it('quotes commas, quotes and line breaks, and ends lines with CRLF', () => {
    expect(toCSV(['score', 'comment'], [[4, 'Quick and kind'], [2, 'Slow, "meh"\nreally'], [5, null]])).toBe(
      'score,comment\r\n4,Quick and kind\r\n2,"Slow, ""meh""\nreally"\r\n5,\r\n',
    );
  });
});

describe('the URL state', () => {
  const today = new Date(2026, 11, 2);
  it('defaults to the last 30 days and round-trips the filters', () => {
    expect(lastDays(7, today)).toEqual({ from: '2026-11-26', to: '2026-12-02' });
    const q = readQuery(new URLSearchParams('from=bad'), today);
    expect(q).toEqual({ from: '2026-11-03', to: '2026-12-02', agent_id: '', label: '', business_hours: false, granularity: 'day' });
    const full = readQuery(new URLSearchParams('from=2026-11-01&to=2026-11-30&agent_id=u1&label=vip&business_hours=true&granularity=hour'), today);
    expect(queryString(full)).toBe('from=2026-11-01&to=2026-11-30&agent_id=u1&label=vip&business_hours=true&granularity=hour');
    expect(queryString(q)).toBe('from=2026-11-03&to=2026-12-02');
  });
});
