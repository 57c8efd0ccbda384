import { describe, expect, it } from 'vitest'
import { contiguousSeq, group, maxSeq, merge, shown, unreadCount } from '../src/panel/messages'
import { agent, bot, msg, visitor } from './helpers'

describe('merge', () => {
  it('keeps one copy per id, in seq order', () => {
    const a = [msg(1), msg(2), msg(4)]
    const b = [msg(3), msg(2, agent, { body: 'edited' }), msg(5)]
    const m = merge(a, b)
    expect(m.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5])
    expect(m[1].body).toBe('edited')
    expect(a.map((x) => x.seq)).toEqual([1, 2, 4]) // input untouched
  })
  it('returns the same list when nothing comes in, and ignores junk', () => {
    const a = [msg(1)]
    expect(merge(a, [])).toBe(a)
    expect(merge(a, [null as never, { id: 5 } as never])).toEqual(a)
  })
  it('merges a live frame that raced the after_seq page', () => {
    // Reconnect: the page after seq 2 and a live frame for seq 4 both arrive.
    let m = merge([msg(1), msg(2)], [msg(4)])
    expect(contiguousSeq(m)).toBe(2)
    m = merge(m, [msg(3), msg(4)])
    expect(m.map((x) => x.seq)).toEqual([1, 2, 3, 4])
    expect(contiguousSeq(m)).toBe(4)
  })
})

describe('where to resume', () => {
  it('is the end of the gap-free prefix', () => {
    expect(contiguousSeq([])).toBe(0)
    expect(contiguousSeq([msg(1), msg(2), msg(3)])).toBe(3)
    expect(contiguousSeq([msg(1), msg(2), msg(5), msg(6)])).toBe(2)
    expect(contiguousSeq([msg(2)])).toBe(0)
    expect(maxSeq([msg(1), msg(7)])).toBe(7)
  })
})

describe('shown: stored messages and the outbox, never twice', () => {
  it('hides an outbox item once its client_msg_id is stored', () => {
    const out = [
      { cmid: 'x1', conv: 'c1', body: 'hello', at: '2026-03-02T10:10:00Z', state: 'sending' as const },
      { cmid: 'x2', conv: 'c1', body: 'again', at: '2026-03-02T10:11:00Z', state: 'queued' as const },
      { cmid: 'x3', conv: 'c2', body: 'other', at: '2026-03-02T10:11:00Z', state: 'queued' as const },
    ]
    const stored = [msg(1), msg(2, visitor, { client_msg_id: 'x1', body: 'hello' })]
    const s = shown(stored, out, 'c1')
    expect(s.map((m) => m.body)).toEqual(['message 1', 'hello', 'again'])
    expect(s[2].pending).toBe('queued')
  })
})

describe('group', () => {
  it('groups consecutive messages of one author within five minutes', () => {
    const t = (min: number) => new Date(Date.UTC(2026, 2, 2, 10, min)).toISOString()
    const g = group([
      msg(1, agent, { created_at: t(0) }),
      msg(2, agent, { created_at: t(3) }),
      msg(3, agent, { created_at: t(9) }), // 6 min later: new group
      msg(4, visitor, { created_at: t(9) }),
      msg(5, visitor, { created_at: t(10) }),
      msg(6, { type: 'agent', id: 'a2', name: 'Bob' }, { created_at: t(10) }), // another agent
      msg(7, { type: 'system' }, { created_at: t(11), kind: 'event' }),
      msg(8, { type: 'system' }, { created_at: t(11), kind: 'event' }), // system: one each
      msg(9, bot, { created_at: t(12) }),
    ])
    expect(g.map((x) => x.items.map((m) => m.seq))).toEqual([[1, 2], [3], [4, 5], [6], [7], [8], [9]])
    expect(g[2].mine).toBe(true)
    expect(g[4].system).toBe(true)
  })
  it('starts a new group on a new day', () => {
    const g = group([msg(1, agent, { created_at: '2026-03-02T23:59:00' }), msg(2, agent, { created_at: '2026-03-03T00:01:00' })])
    expect(g).toHaveLength(2)
    expect(g[0].day).toBe('2026-03-02')
    expect(g[1].day).toBe('2026-03-03')
  })
})

describe('unread', () => {
  it('counts others’ messages after the read mark', () => {
    expect(unreadCount([msg(1), msg(2, visitor), msg(3), msg(4, bot)], 1)).toBe(2)
    expect(unreadCount([msg(1)], 1)).toBe(0)
  })
})
