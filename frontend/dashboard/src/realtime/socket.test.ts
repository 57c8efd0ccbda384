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
