import { afterEach, describe, expect, it, vi } from 'vitest';
import { BLOCKED_AFTER, Realtime, type SocketStatus } from './socket';

/** FakeSocket stands in for a browser WebSocket that the server accepts or refuses. */
function fakeSockets(accept: () => boolean) {
  return class FakeSocket {
    readyState = 0;
    onopen: (() => void) | null = null;
    onclose: (() => void) | null = null;
    onmessage: ((e: { data: string }) => void) | null = null;
    constructor() {
      queueMicrotask(() => {
        if (accept()) {
          this.readyState = 1;
          this.onopen?.();
        } else {
          this.readyState = 3;
          this.onclose?.();
        }
      });
    }
    send() {}
    close() {
      this.readyState = 3;
    }
  } as unknown as typeof WebSocket;
}

afterEach(() => vi.useRealTimers());

async function run(accept: () => boolean, attempts: number) {
  vi.useFakeTimers();
  const seen: SocketStatus[] = [];
  const rt = new Realtime({ token: async () => 'tok', onFrame: () => {}, onStatus: (s) => seen.push(s), WebSocketImpl: fakeSockets(accept) });
  rt.start();
  for (let i = 0; i < attempts; i++) await vi.advanceTimersByTimeAsync(40_000);
  rt.stop();
  return seen;
}

describe('live socket status', () => {
  it('says "blocked", not "reconnecting" for ever, when the first connections are all refused', async () => {
    const seen = await run(() => false, BLOCKED_AFTER + 1);
    const first = seen.indexOf('blocked');
    expect(first).toBeGreaterThan(0);
    expect(seen.slice(0, first)).not.toContain('blocked');
    expect(seen.slice(first)).toEqual(seen.slice(first).map(() => 'blocked'));
  });

  it('never says "blocked" once a socket has opened (a later outage is only reconnecting)', async () => {
    let n = 0;
    const seen = await run(() => n++ === 0, BLOCKED_AFTER + 2);
    expect(seen).toContain('open');
    expect(seen).not.toContain('blocked');
  });
});

describe('a draining gateway', () => {
  it('reconnects within 250 ms after a "reconnect" frame, not after the backoff', async () => {
    vi.useFakeTimers();
    const sockets: { onmessage: ((e: { data: string }) => void) | null; onclose: (() => void) | null }[] = [];
    const Impl = class {
      readyState = 0;
      onopen: (() => void) | null = null;
      onclose: (() => void) | null = null;
      onmessage: ((e: { data: string }) => void) | null = null;
      constructor() {
        sockets.push(this);
        queueMicrotask(() => {
          this.readyState = 1;
          this.onopen?.();
        });
      }
      send() {}
      close() {
        this.readyState = 3;
      }
    } as unknown as typeof WebSocket;
    const frames: string[] = [];
    const rt = new Realtime({ token: async () => 'tok', onFrame: (f) => frames.push(f.type), onStatus: () => {}, WebSocketImpl: Impl });
    rt.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(sockets).toHaveLength(1);
    // Without the frame, the first retry waits at least 750 ms.
    sockets[0].onmessage?.({ data: '{"type":"reconnect"}' });
    (sockets[0] as unknown as { readyState: number }).readyState = 3;
    sockets[0].onclose?.();
    await vi.advanceTimersByTimeAsync(260);
    expect(sockets).toHaveLength(2);
    expect(frames).not.toContain('reconnect');
    rt.stop();
  });
});

describe('catching up after a reconnect', () => {
  type Fake = { url: string; readyState: number; onopen: (() => void) | null; onclose: (() => void) | null; onmessage: ((e: { data: string }) => void) | null };
  function setup() {
    vi.useFakeTimers();
    const sockets: Fake[] = [];
    const Impl = class {
      readyState = 0;
      onopen: (() => void) | null = null;
      onclose: (() => void) | null = null;
      onmessage: ((e: { data: string }) => void) | null = null;
      constructor(public url: string) {
        sockets.push(this);
        queueMicrotask(() => {
          this.readyState = 1;
          this.onopen?.();
        });
      }
      send() {}
      close() {
        this.readyState = 3;
      }
    } as unknown as typeof WebSocket;
    const frames: { type: string; live: boolean }[] = [];
    const reloads: boolean[] = [];
    const rt = new Realtime({
      token: async () => 'tok',
      onFrame: (f, live) => frames.push({ type: f.type, live }),
      onStatus: (s, reload) => s === 'open' && reloads.push(reload),
      url: (t) => `ws://gw/api/v1/ws?access_token=${t}`,
      WebSocketImpl: Impl,
    });
    const frame = (s: Fake, f: object) => s.onmessage?.({ data: JSON.stringify(f) });
    const drop = async (s: Fake) => {
      s.readyState = 3;
      s.onclose?.();
      await vi.advanceTimersByTimeAsync(40_000);
    };
    return { sockets, frames, reloads, rt, frame, drop };
  }

  it('resumes with the last cursor in one socket, without a reload, and marks replayed frames', async () => {
    const { sockets, frames, reloads, rt, frame, drop } = setup();
    rt.start();
    await vi.advanceTimersByTimeAsync(10);
    frame(sockets[0], { type: 'hello', role: 'agent', cursor: 40 });
    frame(sockets[0], { type: 'message.created', message: {}, cursor: 41 });
    frame(sockets[0], { type: 'conversation.updated', conversation: {}, cursor: 41 });
    frame(sockets[0], { type: 'typing', conversation_id: 'c', author: {} });
    await drop(sockets[0]);
    expect(sockets).toHaveLength(2);
    expect(sockets[1].url).toBe('ws://gw/api/v1/ws?access_token=tok&cursor=40'); // just before the last event seen
    expect(reloads).toEqual([false, false]);
    frames.length = 0;
    frame(sockets[1], { type: 'message.created', message: {}, cursor: 57 });
    frame(sockets[1], { type: 'resumed', cursor: 57 });
    frame(sockets[1], { type: 'message.created', message: {}, cursor: 60 });
    expect(frames).toEqual([
      { type: 'message.created', live: false },
      { type: 'message.created', live: true },
    ]);
    expect(rt.cursor).toBe(60);
    await drop(sockets[1]);
    expect(sockets[2].url).toContain('&cursor=59');
    rt.stop();
  });

  it('reloads on "resync" and goes on from the cursor the server gives', async () => {
    const { sockets, reloads, rt, frame, drop } = setup();
    rt.start();
    await vi.advanceTimersByTimeAsync(10);
    frame(sockets[0], { type: 'hello', role: 'agent', cursor: 900 });
    await drop(sockets[0]);
    frame(sockets[1], { type: 'resync', cursor: 12, detail: 'cursor 900 is ahead of the event stream' });
    expect(reloads).toEqual([false, false, true]);
    expect(rt.cursor).toBe(12);
    rt.stop();
  });

  it('reloads after a reconnect when it never got a cursor', async () => {
    const { sockets, reloads, rt, frame, drop } = setup();
    rt.start();
    await vi.advanceTimersByTimeAsync(10);
    frame(sockets[0], { type: 'hello', role: 'agent' });
    await drop(sockets[0]);
    expect(sockets[1].url).not.toContain('cursor');
    expect(reloads).toEqual([false, true]);
    rt.stop();
  });
});
