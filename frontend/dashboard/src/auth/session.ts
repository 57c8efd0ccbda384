import { ApiError, type Http, type TokenSource } from '../api/http';
import type { AuthResult, Me, SignupResult, TenantInfo, User } from '../api/types';

/**
 * Token storage (see the README): the access token lives only in this
 * module's memory; the refresh token is an httpOnly, SameSite=Strict cookie
 * scoped to /api/v1/auth that page scripts cannot read (header
 * `X-Parley-Refresh: cookie`). A reload restores the session by asking for a
 * new access token with that cookie. Nothing secret goes to localStorage,
 * sessionStorage or a URL.
 */
export const REFRESH_MODE_HEADER = { 'X-Parley-Refresh': 'cookie' } as const;

export type SessionStatus = 'loading' | 'signedOut' | 'signedIn';
export type SignOutReason = 'expired' | 'loggedOut' | undefined;

export interface SessionState {
  status: SessionStatus;
  user?: User;
  tenant?: TenantInfo;
  reason?: SignOutReason;
}

/**
 * refreshDelayMs is when to refresh an access token that expires in
 * expiresInSec: after 80% of its life, but at least 30 s before it expires
 * (and never sooner than 1 s, so a tiny lifetime cannot spin).
 */
export function refreshDelayMs(expiresInSec: number): number {
  const life = Math.max(0, expiresInSec) * 1000;
  return Math.max(1000, Math.min(life * 0.8, life - 30_000));
}

/** How long before expiry token() refreshes on its own (a throttled background timer may fire late). */
export const EXPIRY_MARGIN_MS = 15_000;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Runs fn while holding a lock shared by every tab, so two tabs never rotate the same refresh token at once. */
export async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks?.request) return locks.request('parley-auth-refresh', fn) as Promise<T>;
  return fn();
}

type Listener = (s: SessionState) => void;

/** Session owns the signed-in state and the access token. */
export class Session implements TokenSource {
  private access: string | null = null;
  private expiresAt = 0;
  private timer: unknown = undefined;
  private inflight: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();
  private channel: BroadcastChannel | null = null;
  state: SessionState = { status: 'loading' };

  constructor(
    private readonly http: Http,
    private readonly clock: Clock = realClock,
    private readonly lock: <T>(fn: () => Promise<T>) => Promise<T> = withRefreshLock,
  ) {
    http.useTokens(this);
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel('parley-auth');
      this.channel.onmessage = (e) => {
        if (e.data === 'logout' && this.state.status === 'signedIn') this.clear('loggedOut');
        if (e.data === 'login' && this.state.status === 'signedOut') void this.restore();
      };
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(s: SessionState) {
    this.state = s;
    for (const l of this.listeners) l(s);
  }

  /** Restores a session from the refresh cookie (page load). */
  async restore(): Promise<void> {
    const ok = await this.refresh();
    if (ok) await this.loadMe();
    else if (this.state.status === 'loading') this.set({ status: 'signedOut' });
  }

  async login(email: string, password: string): Promise<void> {
    const r = await this.http.post<AuthResult>('/api/v1/auth/login', { email, password }, { auth: false, headers: REFRESH_MODE_HEADER });
    await this.signedIn(r);
  }

  async signup(input: { business_name: string; name: string; email: string; password: string }): Promise<void> {
    const r = await this.http.post<SignupResult>('/api/v1/signup', input, { auth: false, headers: REFRESH_MODE_HEADER });
    this.accept(r);
    this.set({ status: 'signedIn', user: r.user, tenant: r.tenant });
    this.channel?.postMessage('login');
  }

  async acceptInvite(token: string, name: string, password: string): Promise<void> {
    const r = await this.http.post<AuthResult>(`/api/v1/invites/${encodeURIComponent(token)}/accept`, { name, password }, {
      auth: false,
      headers: REFRESH_MODE_HEADER,
    });
    await this.signedIn(r);
  }

  async logout(): Promise<void> {
    try {
      if (this.access) await this.http.post('/api/v1/auth/logout', undefined, { headers: REFRESH_MODE_HEADER });
    } catch {
      // Signing out locally matters more than the server's answer.
    }
    this.channel?.postMessage('logout');
    this.clear('loggedOut');
  }

  /** Updates the cached user/tenant after the profile or tenant changed. */
  update(patch: { user?: User; tenant?: TenantInfo }): void {
    if (this.state.status === 'signedIn') this.set({ ...this.state, ...patch });
  }

  async token(): Promise<string | null> {
    if (!this.access) return null;
    if (this.clock.now() >= this.expiresAt - EXPIRY_MARGIN_MS) await this.refresh();
    return this.access;
  }

  recover(): Promise<boolean> {
    return this.refresh();
  }

  /** Rotates the refresh cookie for a new access token; concurrent callers share one request. */
  refresh(): Promise<boolean> {
    if (!this.inflight) {
      this.inflight = this.lock(() => this.doRefresh()).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async doRefresh(): Promise<boolean> {
    try {
      const r = await this.http.post<AuthResult>('/api/v1/auth/refresh', {}, { auth: false, headers: REFRESH_MODE_HEADER });
      this.accept(r);
      if (this.state.status === 'signedIn') this.set({ ...this.state, user: r.user });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status !== 0 && err.status < 500 && err.status !== 429) {
        // The cookie is missing, expired or was revoked: the session is over.
        const wasIn = this.state.status === 'signedIn';
        this.clear(wasIn ? 'expired' : undefined);
        return false;
      }
      // Offline or a server hiccup: keep the session and try again soon.
      this.schedule(10_000);
      return false;
    }
  }

  private async signedIn(r: AuthResult) {
    this.accept(r);
    this.set({ status: 'signedIn', user: r.user, tenant: this.state.tenant });
    await this.loadMe();
    this.channel?.postMessage('login');
  }

  private async loadMe() {
    try {
      const me = await this.http.get<Me>('/api/v1/me');
      this.set({ status: 'signedIn', user: me.user, tenant: me.tenant });
    } catch (err) {
      if (this.access) this.set({ status: 'signedIn', user: this.state.user, tenant: this.state.tenant });
      else throw err;
    }
  }

  private accept(r: AuthResult) {
    this.access = r.access_token;
    this.expiresAt = this.clock.now() + r.expires_in * 1000;
    this.schedule(refreshDelayMs(r.expires_in));
  }

  private schedule(ms: number) {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, ms);
  }

  private clear(reason: SignOutReason) {
    this.access = null;
    this.expiresAt = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.set({ status: 'signedOut', reason });
  }

  /** Test hook: when the current access token expires (ms since epoch). */
  get expiry(): number {
    return this.expiresAt;
  }
}
