import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/http';
import type { Export } from '../../api/data';
import {
  actionLabel,
  actorLabel,
  auditDiff,
  dayEnd,
  dayStart,
  formatBytes,
  formatValue,
  importError,
  isActive,
  percent,
  pollJob,
  retentionConfirm,
  retentionError,
  targetLabel,
  upsertJob,
  type Timers,
} from './logic';

const job = (over: Partial<Export> = {}): Export => ({
  id: 'e1', status: 'running', progress: 0, size_bytes: 0, requested_by: 'm1', created_at: '2026-03-01T10:00:00Z', ...over,
});

/** fakeTimers runs scheduled callbacks only when the test says so. */
function fakeTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn) => {
      pending.set(++next, fn);
      return next;
    },
    clearTimeout: (h) => pending.delete(h as number),
  };
  const fire = async () => {
    const entries = [...pending.entries()];
    pending.clear();
    for (const [, fn] of entries) fn();
    // Let the get() promise and its handlers settle.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { timers, fire, get pending() { return pending.size; } };
}

describe('job polling', () => {
  it('asks every interval, hands over each answer and stops once the job is done', async () => {
    const answers = [job({ progress: 0.2 }), job({ progress: 0.7 }), job({ status: 'done', progress: 1, size_bytes: 12_300_000 })];
    const get = vi.fn(async () => answers.shift()!);
    const seen: number[] = [];
    const ft = fakeTimers();
    pollJob(get, (j) => seen.push(j.progress), { timers: ft.timers });
    expect(get).not.toHaveBeenCalled();
    await ft.fire();
    await ft.fire();
    await ft.fire();
    expect(seen).toEqual([0.2, 0.7, 1]);
    expect(ft.pending).toBe(0); // nothing more is scheduled after "done"
    await ft.fire();
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('keeps polling through a failed ask, and stops on failed jobs and on stop()', async () => {
    const ft = fakeTimers();
    const errors: unknown[] = [];
    const get = vi.fn().mockRejectedValueOnce(new ApiError(0, {})).mockResolvedValueOnce(job({ status: 'failed', error: 'disk full' }));
    const seen: string[] = [];
    pollJob(get, (j) => seen.push(j.status), { timers: ft.timers, onError: (e) => errors.push(e) });
    await ft.fire();
    expect(errors).toHaveLength(1);
    await ft.fire();
    expect(seen).toEqual(['failed']);
    expect(ft.pending).toBe(0);

    const ft2 = fakeTimers();
    const updates = vi.fn();
    const stop = pollJob(async () => job(), updates, { timers: ft2.timers });
    await ft2.fire();
    stop();
    expect(ft2.pending).toBe(0);
    await ft2.fire();
    expect(updates).toHaveBeenCalledTimes(1);
  });

  it('drops an answer that arrives after stop()', async () => {
    const ft = fakeTimers();
    let resolve!: (j: Export) => void;
    const updates = vi.fn();
    const stop = pollJob(() => new Promise<Export>((r) => (resolve = r)), updates, { timers: ft.timers });
    await ft.fire();
    stop();
    resolve(job());
    await Promise.resolve();
    expect(updates).not.toHaveBeenCalled();
  });

  it('knows which statuses move, and clamps progress to whole percents', () => {
    expect(isActive('queued')).toBe(true);
    expect(isActive('running')).toBe(true);
    expect(isActive('done')).toBe(false);
    expect(isActive('expired')).toBe(false);
    expect(isActive(undefined)).toBe(false);
    expect(percent(0.456)).toBe(46);
    expect(percent(1.2)).toBe(100);
    expect(percent(-1)).toBe(0);
    expect(percent(Number.NaN)).toBe(0);
  });

  it('puts a fresher job in place, and a new one first', () => {
    const list = [job({ id: 'b' }), job({ id: 'a', status: 'done' })];
    expect(upsertJob(list, job({ id: 'b', progress: 0.5 })).map((j) => [j.id, j.progress])).toEqual([['b', 0.5], ['a', 0]]);
    expect(upsertJob(list, job({ id: 'c' })).map((j) => j.id)).toEqual(['c', 'b', 'a']);
    expect(upsertJob(undefined, job()).map((j) => j.id)).toEqual(['e1']);
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(1_500)).toBe('1.5 KB');
    expect(formatBytes(250_000_000_000)).toBe('250 GB');
  });
});

describe('retention', () => {
  it('accepts off and 7–3650 whole days only', () => {
    expect(retentionError(0)).toBeUndefined();
    expect(retentionError(7)).toBeUndefined();
    expect(retentionError(3650)).toBeUndefined();
    expect(retentionError(6)).toMatch(/between 7 and 3650/);
    expect(retentionError(3651)).toMatch(/between 7 and 3650/);
    expect(retentionError(30.5)).toMatch(/whole number/);
    expect(retentionError(Number.NaN)).toMatch(/whole number/);
  });

  it('says what goes now and what keeps going', () => {
    expect(retentionConfirm({ days: 30, before: '', conversations: 123, messages: 4567 })).toBe(
      'This will delete 123 conversations (4,567 messages) now and keep deleting every conversation whose last activity is more than 30 days old. Deleted conversations cannot be recovered.',
    );
    expect(retentionConfirm({ days: 7, before: '', conversations: 1, messages: 1 })).toMatch(/^This will delete 1 conversation \(1 message\) now and keep deleting/);
    expect(retentionConfirm({ days: 90, before: '', conversations: 0, messages: 0 })).toBe(
      'No conversation is old enough to be deleted now. From now on, every conversation whose last activity is more than 90 days old is deleted. Deleted conversations cannot be recovered.',
    );
  });
});

describe('import errors', () => {
  it('names the three refusals clearly', () => {
    expect(importError(new ApiError(413, { code: 'too_large' }))).toMatch(/larger than this Parley accepts/);
    expect(importError(new ApiError(409, { code: 'conflict', detail: 'workspace has conversations' }))).toMatch(/not empty.*\(workspace has conversations\)/);
    expect(importError(new ApiError(400, { code: 'invalid', field: 'file', detail: 'manifest.json missing' }))).toMatch(/not a Parley export archive \(manifest\.json missing\)/);
    expect(importError(new ApiError(0, {}))).toMatch(/cannot be reached/);
  });
});

describe('audit log', () => {
  it('shows only the changed fields, nested ones as paths', () => {
    expect(
      auditDiff({ widget: { color: '#111111', position: 'right' }, retention_days: 0 }, { widget: { color: '#222222', position: 'right' }, retention_days: 30 }),
    ).toEqual([
      { field: 'widget.color', before: '#111111', after: '#222222' },
      { field: 'retention_days', before: '0', after: '30' },
    ]);
  });

  it('shows additions, removals, lists and nulls compactly', () => {
    expect(auditDiff(undefined, { role: 'admin', email: 'sam@example.com' })).toEqual([
      { field: 'role', after: 'admin' },
      { field: 'email', after: 'sam@example.com' },
    ]);
    expect(auditDiff({ shortcut: 'ship' }, null)).toEqual([{ field: 'shortcut', before: 'ship' }]);
    expect(auditDiff({ allowed_domains: ['a.com'] }, { allowed_domains: ['a.com', 'b.com'] })).toEqual([
      { field: 'allowed_domains', before: 'a.com', after: 'a.com, b.com' },
    ]);
    expect(auditDiff({ name: null }, { name: 'Ann' })).toEqual([{ field: 'name', before: '—', after: 'Ann' }]);
    expect(auditDiff({ conversations: 2, messages: 14 }, undefined)).toEqual([
      { field: 'conversations', before: '2' },
      { field: 'messages', before: '14' },
    ]);
    expect(auditDiff(undefined, undefined)).toEqual([]);
    expect(auditDiff('off', 'on')).toEqual([{ field: '', before: 'off', after: 'on' }]);
    expect(formatValue('x'.repeat(200))).toHaveLength(80);
    expect(formatValue('')).toBe('""');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
  });

  it('puts actions, actors and targets in words', () => {
    expect(actionLabel('visitor.erased')).toBe('Erased a visitor');
    expect(actionLabel('something.new')).toBe('something.new');
    expect(actorLabel({ type: 'member', id: 'm1', name: 'Olivia', ip: '1.2.3.4' })).toBe('Olivia');
    expect(actorLabel({ type: 'system', name: 'retention' })).toBe('Parley (retention)');
    expect(actorLabel({ type: 'api_key', id: 'k1' })).toBe('An API key');
    expect(targetLabel({ target_type: 'visitor', target_id: '0190e2a4-5b6c-7d8e-9f00-112233445566' })).toBe('Visitor 0190e2a4');
    expect(targetLabel({ target_type: 'settings' })).toBe('Settings');
    expect(targetLabel({})).toBe('');
  });

  it('turns a day range into instants: from the start of the first day to the start of the day after the last', () => {
    expect(dayStart('2026-03-14')).toBe(new Date(2026, 2, 14).toISOString());
    expect(dayEnd('2026-03-14')).toBe(new Date(2026, 2, 15).toISOString());
    expect(dayEnd('2026-12-31')).toBe(new Date(2027, 0, 1).toISOString());
    expect(dayStart('')).toBeUndefined();
  });
});
