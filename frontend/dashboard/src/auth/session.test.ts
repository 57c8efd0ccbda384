import { describe, expect, it, vi } from 'vitest';
import { Http } from '../api/http';
import { EXPIRY_MARGIN_MS, Session, refreshDelayMs, type Clock } from './session';

function fakeClock() {
  let now = 1_000_000;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  return {
    clock,
    pending: () => [...timers.values()].map((t) => t.at - now),
    async advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const user = { id: 'u1', tenant_id: 't1', name: 'Ada', email: 'ada@example.com', role: 'owner', created_at: '' };
const tenant = { id: 't1', name: 'Acme', slug: 'acme', widget_key: 'wk_1', created_at: '' };

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

function server(handler: (c: Call, n: number) => { status: number; body?: unknown }) {
  const calls: Call[] = [];
  const fetcher = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    const c: Call = { url: String(url), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body as string };
    calls.push(c);
    const r = handler(c, calls.length);
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: { 'Content-Type': r.status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  return { calls, fetcher: fetcher as unknown as typeof fetch };
}

let tokenN = 0;
const auth = (expires = 900) => ({ status: 200, body: { user, access_token: `at-${++tokenN}`, expires_in: expires, token_type: 'Bearer' } });

function standard(c: Call) {
  if (c.url === '/api/v1/auth/login' || c.url === '/api/v1/auth/refresh') return auth();
  if (c.url === '/api/v1/me') return { status: 200, body: { user, tenant } };
  return { status: 404, body: { code: 'not_found' } };
}

const noLock = <T,>(fn: () => Promise<T>) => fn();

describe('refreshDelayMs', () => {
  it('refreshes after 80% of the life, at least 30 s before expiry', () => {
    expect(refreshDelayMs(900)).toBe(720_000);
    expect(refreshDelayMs(120)).toBe(90_000); // 96 s would leave only 24 s
    expect(refreshDelayMs(60)).toBe(30_000);
    expect(refreshDelayMs(10)).toBe(1000); // never spins
    expect(refreshDelayMs(0)).toBe(1000);
  });
});

describe('Session', () => {
  it('logs in with the refresh cookie mode and keeps the token only in memory', async () => {
    const srv = server(standard);
    const fc = fakeClock();
    const s = new Session(new Http(srv.fetcher), fc.clock, noLock);
    await s.login('ada@example.com', 'correct horse battery');
    expect(s.state.status).toBe('signedIn');
    expect(s.state.tenant?.widget_key).toBe('wk_1');
    const login = srv.calls[0];
    expect(login.headers['X-Parley-Refresh']).toBe('cookie');
    expect(login.headers.Authorization).toBeUndefined();
    expect(srv.calls[1].headers.Authorization).toMatch(/^Bearer at-\d+$/);
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(document.cookie).toBe('');
    expect(fc.pending()).toEqual([720_000]);
  });

  it('refreshes before the access token expires, with the cookie and an empty body', async () => {
    const srv = server(standard);
    const fc = fakeClock();
    const s = new Session(new Http(srv.fetcher), fc.clock, noLock);
    await s.login('ada@example.com', 'pw');
    const before = await s.token();
    await fc.advance(719_999);
    expect(srv.calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(0);
    await fc.advance(1);
    const refresh = srv.calls.filter((c) => c.url === '/api/v1/auth/refresh');
    expect(refresh).toHaveLength(1);
    expect(refresh[0].method).toBe('POST');
    expect(refresh[0].body).toBe('{}');
    expect(refresh[0].headers['X-Parley-Refresh']).toBe('cookie');
    expect(await s.token()).not.toBe(before);
    expect(fc.pending()).toEqual([720_000]); // the next one is scheduled
  });

  it('refreshes on demand when a throttled timer fired late', async () => {
    const srv = server(standard);
    const fc = fakeClock();
    const s = new Session(new Http(srv.fetcher), fc.clock, noLock);
    await s.login('a@b.co', 'pw');
    // Jump past the margin without running timers (a background tab).
    const expiry = s.expiry;
    const t = fc.clock.now();
    (fc.clock as { now: () => number }).now = () => expiry - EXPIRY_MARGIN_MS + 1;
    await s.token();
    expect(srv.calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(t).toBeLessThan(expiry);
  });

  it('shares one refresh between concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const fetcher = (async (url: string) => {
      calls.push(url);
      if (url === '/api/v1/auth/refresh') await gate;
      return new Response(JSON.stringify(url === '/api/v1/me' ? { user, tenant } : auth().body), { status: 200 });
    }) as unknown as typeof fetch;
    const s = new Session(new Http(fetcher), fakeClock().clock, noLock);
    const a = s.refresh();
    const b = s.refresh();
    const c = s.recover();
    release();
    expect(await Promise.all([a, b, c])).toEqual([true, true, true]);
    expect(calls.filter((u) => u === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('retries a call once with a fresh token after a 401', async () => {
    let meCalls = 0;
    const srv = server((c) => {
      if (c.url === '/api/v1/me') {
        meCalls++;
        return meCalls === 2 ? { status: 401, body: { code: 'unauthenticated' } } : { status: 200, body: { user, tenant } };
      }
      return standard(c);
    });
    const http = new Http(srv.fetcher);
    const s = new Session(http, fakeClock().clock, noLock);
    await s.login('a@b.co', 'pw');
    const me = await http.get<{ user: typeof user }>('/api/v1/me');
    expect(me.user.id).toBe('u1');
    expect(srv.calls.map((c) => c.url)).toEqual(['/api/v1/auth/login', '/api/v1/me', '/api/v1/me', '/api/v1/auth/refresh', '/api/v1/me']);
  });

  it('ends the session when the refresh cookie is rejected', async () => {
    let n = 0;
    const srv = server((c) => {
      if (c.url === '/api/v1/auth/refresh') return ++n > 0 ? { status: 401, body: { code: 'unauthenticated' } } : auth();
      return standard(c);
    });
    const fc = fakeClock();
    const s = new Session(new Http(srv.fetcher), fc.clock, noLock);
    await s.login('a@b.co', 'pw');
    await fc.advance(720_000);
    expect(s.state).toEqual({ status: 'signedOut', reason: 'expired' });
    expect(await s.token()).toBeNull();
    expect(fc.pending()).toEqual([]);
  });

  it('keeps the session through a network failure and tries again', async () => {
    let fail = true;
    const fetcher = (async (url: string) => {
      if (url === '/api/v1/auth/refresh' && fail) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(url === '/api/v1/me' ? { user, tenant } : auth().body), { status: 200 });
    }) as unknown as typeof fetch;
    const fc = fakeClock();
    const s = new Session(new Http(fetcher), fc.clock, noLock);
    await s.login('a@b.co', 'pw');
    await fc.advance(720_000);
    expect(s.state.status).toBe('signedIn');
    expect(fc.pending()).toEqual([10_000]);
    fail = false;
    await fc.advance(10_000);
    expect(fc.pending()).toEqual([720_000]);
  });

  it('restores a session from the cookie on load, or shows signed out', async () => {
    const ok = new Session(new Http(server(standard).fetcher), fakeClock().clock, noLock);
    await ok.restore();
    expect(ok.state.status).toBe('signedIn');
    const none = new Session(new Http(server(() => ({ status: 401, body: { code: 'unauthenticated' } })).fetcher), fakeClock().clock, noLock);
    await none.restore();
    expect(none.state).toEqual({ status: 'signedOut', reason: undefined });
  });

  it('logs out with the cookie header and forgets the token', async () => {
    const srv = server((c) => (c.url === '/api/v1/auth/logout' ? { status: 204 } : standard(c)));
    const s = new Session(new Http(srv.fetcher), fakeClock().clock, noLock);
    await s.login('a@b.co', 'pw');
    await s.logout();
    const logout = srv.calls.find((c) => c.url === '/api/v1/auth/logout')!;
    expect(logout.headers['X-Parley-Refresh']).toBe('cookie');
    expect(logout.headers.Authorization).toMatch(/^Bearer /);
    expect(s.state).toEqual({ status: 'signedOut', reason: 'loggedOut' });
    expect(await s.token()).toBeNull();
  });
});
