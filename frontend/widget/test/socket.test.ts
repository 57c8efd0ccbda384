import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Socket, backoff } from '../src/panel/socket'
import { FakeWS } from './helpers'

describe('backoff', () => {
  it('doubles from half a second up to thirty, with jitter', () => {
    expect(backoff(0, () => 0.5)).toBe(500)
    expect(backoff(1, () => 0.5)).toBe(1000)
    expect(backoff(5, () => 0.5)).toBe(16000)
    expect(backoff(50, () => 0.5)).toBe(30000)
    expect(backoff(3, () => 0)).toBe(3200)
    expect(backoff(3, () => 1)).toBe(4800)
  })
})

describe('socket', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWS.all = []
  })
  afterEach(() => vi.useRealTimers())

  it('reconnects by itself and reports each connection', () => {
    const up = vi.fn()
    const down = vi.fn()
    const frames: unknown[] = []
    const s = new Socket({ url: () => 'ws://x/api/v1/ws?access_token=t', frame: (f) => frames.push(f), up, down }, FakeWS as never)
    s.start()
    expect(FakeWS.all).toHaveLength(1)
    FakeWS.all[0].frame({ type: 'hello', role: 'visitor' })
    expect(up).toHaveBeenCalledTimes(1)
    expect(s.send({ type: 'typing' })).toBe(true)
    FakeWS.all[0].onmessage?.({ data: '{"type":"message.created","message":{}}' })
    FakeWS.all[0].onmessage?.({ data: 'not json' })
    expect(frames).toHaveLength(1)
    FakeWS.all[0].close()
    expect(down).toHaveBeenCalledTimes(1)
    expect(s.send({ type: 'typing' })).toBe(false)
    vi.advanceTimersByTime(1000)
    expect(FakeWS.all).toHaveLength(2)
    FakeWS.all[1].close() // fails before hello: waits longer
    vi.advanceTimersByTime(700)
    expect(FakeWS.all).toHaveLength(2)
    vi.advanceTimersByTime(1000)
    expect(FakeWS.all).toHaveLength(3)
    FakeWS.all[2].frame({ type: 'hello', role: 'visitor' })
    expect(up).toHaveBeenCalledTimes(2)
    s.stop()
    vi.advanceTimersByTime(60000)
    expect(FakeWS.all).toHaveLength(3)
  })

  it('closes a connection that has gone silent', () => {
    const s = new Socket({ url: () => 'ws://x', frame: () => {}, up: () => {}, down: () => {} }, FakeWS as never)
    s.start()
    FakeWS.all[0].frame({ type: 'hello', role: 'visitor' })
    vi.advanceTimersByTime(30000)
    expect(FakeWS.all[0].sent).toContainEqual({ type: 'ping' })
    vi.advanceTimersByTime(62000) // 90 s without a frame: closed, then reconnected
    expect(FakeWS.all.length).toBeGreaterThan(1)
    s.stop()
  })
})
