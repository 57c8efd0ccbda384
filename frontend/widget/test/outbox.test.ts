import { describe, expect, it, vi } from 'vitest'
import { Outbox, SendError, type OutItem } from '../src/panel/outbox'
import { memory, tokenFor } from '../src/panel/storage'

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const p = new Promise<T>((a, b) => ((resolve = a), (reject = b)))
  return { p, resolve, reject }
}

describe('outbox', () => {
  it('sends each message once, in order, with its client_msg_id', async () => {
    const ob = new Outbox(memory(), 'k')
    ob.add('c1', 'one', 'id-1')
    ob.add('c1', 'two', 'id-2')
    const sent: string[] = []
    await ob.flush(async (i) => {
      sent.push(i.cmid)
      return { conversationId: i.conv }
    })
    expect(sent).toEqual(['id-1', 'id-2'])
    expect(ob.items).toEqual([])
  })

  it('never sends one item twice when flushes overlap', async () => {
    const ob = new Outbox(memory(), 'k')
    ob.add('c1', 'hello', 'id-1')
    const gate = deferred<{ conversationId: string }>()
    const send = vi.fn((_: OutItem) => gate.p)
    const a = ob.flush(send)
    const b = ob.flush(send) // e.g. reconnect while the first send is in flight
    const c = ob.flush(send)
    gate.resolve({ conversationId: 'c1' })
    await Promise.all([a, b, c])
    expect(send).toHaveBeenCalledTimes(1)
    // Something added during the flush is picked up by the same run.
    ob.add('c1', 'late', 'id-2')
    await ob.flush(async (i) => ({ conversationId: i.conv }))
    expect(ob.items).toEqual([])
  })

  it('keeps the client_msg_id across a failed attempt and a reload', async () => {
    const kv = memory()
    const ob = new Outbox(kv, 'k')
    ob.add('c1', 'typed offline', 'id-1')
    ob.add('c1', 'second', 'id-2')
    await ob.flush(async () => {
      throw new SendError('network', true)
    })
    expect(ob.items.map((i) => [i.cmid, i.state])).toEqual([
      ['id-1', 'queued'],
      ['id-2', 'queued'],
    ])
    // The page reloads while an item is being sent: it is queued again.
    ob.items[0].state = 'sending'
    kv.set('k', JSON.stringify(ob.items))
    const again = new Outbox(kv, 'k')
    expect(again.items.map((i) => [i.cmid, i.state])).toEqual([
      ['id-1', 'queued'],
      ['id-2', 'queued'],
    ])
    const ids: string[] = []
    await again.flush(async (i) => {
      ids.push(i.cmid)
      return { conversationId: i.conv }
    })
    expect(ids).toEqual(['id-1', 'id-2'])
    expect(kv.get('k')).toBeNull()
  })

  it('marks a refused message failed and goes on; retry re-queues it', async () => {
    const ob = new Outbox(memory(), 'k')
    ob.add('c1', 'x'.repeat(20000), 'big')
    ob.add('c1', 'fine', 'ok')
    await ob.flush(async (i) => {
      if (i.cmid === 'big') throw new SendError('too long', false)
      return { conversationId: 'c1' }
    })
    expect(ob.items).toMatchObject([{ cmid: 'big', state: 'failed', error: 'too long' }])
    ob.retry('big')
    expect(ob.items[0].state).toBe('queued')
    ob.remove('big')
    expect(ob.items).toEqual([])
  })

  it('starts a new conversation once and sends what follows into it', async () => {
    const ob = new Outbox(memory(), 'k')
    ob.add('new:d1', 'first', 'id-1')
    ob.add('new:d1', 'second', 'id-2')
    const calls: [string, string][] = []
    await ob.flush(async (i) => {
      calls.push([i.conv, i.cmid])
      return { conversationId: i.conv.startsWith('new:') ? 'c-real' : i.conv }
    })
    expect(calls).toEqual([
      ['new:d1', 'id-1'],
      ['c-real', 'id-2'],
    ])
  })

  it('forgets an item acknowledged by a live frame, unless it is mid-send', () => {
    const ob = new Outbox(memory(), 'k')
    ob.add('c1', 'a', 'id-1')
    ob.ack('id-1')
    expect(ob.items).toEqual([])
  })
})

describe('visitor token reuse', () => {
  const saved = (identity: string | null) => ({ token: 'T', visitor: 'v', identity })
  it('reuses an anonymous token, and an identified one only for the same user', () => {
    expect(tokenFor(null, null)).toBeUndefined()
    expect(tokenFor(saved(null), null)).toBe('T')
    expect(tokenFor(saved(null), 'u1')).toBe('T')
    expect(tokenFor(saved('u1'), 'u1')).toBe('T')
    expect(tokenFor(saved('u1'), 'u2')).toBeUndefined()
    expect(tokenFor(saved('u1'), null)).toBeUndefined() // logged out
  })
})
