import type { Author, Conversation, Message } from '../api/types';

/**
 * Frames the server sends (services/gateway/internal/realtime/frames.go).
 * An agent's frames of a stored event carry its tenant-wide cursor.
 */
export type ServerFrame = (
  | { type: 'hello'; role: string; server_time: string }
  | { type: 'message.created'; message: Message }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'typing'; conversation_id: string; author: Author; typing?: boolean }
  | { type: 'read'; conversation_id: string; reader: Author; seq: number }
  | { type: 'presence'; agent_id: string; status: string }
  | { type: 'message.ack'; client_msg_id: string; message: Message }
  | { type: 'error'; code: string; detail: string; client_msg_id?: string }
  | { type: 'conversations.deleted'; conversation_ids: string[] }
  | { type: 'message.deleted'; message: Message; conversation?: Conversation }
  | { type: 'pong' }
  | { type: 'reconnect' }
  | { type: 'resumed' }
  | { type: 'resync'; detail: string }
) & { cursor?: number };

export type ClientFrame =
  | { type: 'message.send'; conversation_id: string; body: string; client_msg_id: string; private?: boolean; attachments?: string[] }
  | { type: 'typing'; conversation_id: string; typing: boolean }
  | { type: 'read'; conversation_id: string; seq: number }
  | { type: 'ping' };

/**
 * 'blocked': the socket has never opened after several tries while the page
 * itself loads — typically the gateway refusing this page's address (not
 * PARLEY_PUBLIC_URL, or a proxy it does not trust), which the browser does
 * not let a page see. The app says what to set instead of "Reconnecting…".
 */
export type SocketStatus = 'connecting' | 'open' | 'closed' | 'blocked';

/** BLOCKED_AFTER is how many failed first connections count as 'blocked'. */
export const BLOCKED_AFTER = 3;

export interface RealtimeOptions {
  token(): Promise<string | null>;
  /** onFrame gets every frame; live is false for the missed ones a resume replays. */
  onFrame(f: ServerFrame, live: boolean): void;
  /**
   * reload is true when the socket (re)opened without being able to resume
   * what it missed: the app re-reads what it shows. A resume replays the
   * missed frames instead, and asks for a reload only if the server says
   * "resync".
   */
  onStatus(s: SocketStatus, reload: boolean): void;
  /** Builds the socket URL; the default is this origin's /api/v1/ws. */
  url?: (token: string) => string;
  WebSocketImpl?: typeof WebSocket;
}

/** backoffMs is the wait before reconnect attempt n (1, 2, 4 … 30 s, with jitter). */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

const PING_MS = 20_000;

/**
 * Realtime keeps one WebSocket to the gateway open while the app runs:
 * reconnecting with backoff, pinging so the server does not drop an idle
 * socket, and catching up after a reconnect: it keeps the last cursor the
 * server sent and reconnects with ?cursor=, so the gateway replays every
 * event of the tenant that was missed in one step (then "resumed"); without
 * a cursor, or on "resync", it tells the app to reload.
 *
 * The gateway takes the agent token as ?access_token= (a browser WebSocket
 * cannot send an Authorization header); it is the short-lived access token,
 * never the refresh token, and the gateway logs route templates, not URLs.
 */
export class Realtime {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private ping: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private everOpened = false;
  private failures = 0; // connections that closed before opening, while none ever opened
  private restarting = false; // the gateway said "reconnect": it is draining, another one answers
  /** cursor is the position of the last stored event the server sent (undefined before any). */
  cursor: number | undefined;
  private replaying = false; // between opening with a cursor and "resumed" or "resync"

  private get blocked(): boolean {
    return !this.everOpened && this.failures >= BLOCKED_AFTER;
  }

  constructor(private readonly opts: RealtimeOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
    window.addEventListener('online', this.kick);
    document.addEventListener('visibilitychange', this.kick);
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.kick);
    document.removeEventListener('visibilitychange', this.kick);
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.ws?.close(1000);
    this.ws = null;
  }

  send(frame: ClientFrame): boolean {
    if (this.ws?.readyState !== 1) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  get open(): boolean {
    return this.ws?.readyState === 1;
  }

  /** Reconnects at once when the network or the tab comes back. */
  private kick = () => {
    if (this.stopped || document.visibilityState === 'hidden') return;
    if (!this.ws || this.ws.readyState === 3) {
      clearTimeout(this.retry);
      this.attempt = 0;
      void this.connect();
    }
  };

  private async connect() {
    if (this.stopped) return;
    this.opts.onStatus(this.blocked ? 'blocked' : 'connecting', false);
    let token: string | null = null;
    try {
      token = await this.opts.token();
    } catch {
      token = null;
    }
    if (this.stopped) return;
    if (!token) {
      this.later();
      return;
    }
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    let url = this.opts.url ? this.opts.url(token) : defaultURL(token);
    const resume = this.everOpened && this.cursor !== undefined;
    // The frames of one event share its cursor, and the drop may have cut the
    // last event's short: resume from just before it (applying frames again is harmless).
    if (resume) url += `${url.includes('?') ? '&' : '?'}cursor=${Math.max(0, (this.cursor ?? 0) - 1)}`;
    let ws: WebSocket;
    try {
      ws = new Impl(url);
    } catch {
      this.later();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      clearInterval(this.ping);
      this.ping = setInterval(() => this.send({ type: 'ping' }), PING_MS);
      this.replaying = resume;
      this.opts.onStatus('open', reconnected && !resume);
    };
    ws.onmessage = (e) => {
      let f: ServerFrame;
      try {
        f = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (!f || typeof f !== 'object' || typeof f.type !== 'string') return;
      if (f.type === 'reconnect') {
        this.restarting = true;
        return;
      }
      if (f.type === 'resumed' || f.type === 'resync') {
        this.replaying = false;
        if (f.type === 'resync') {
          // Live frames go on from the server's cursor (ours may be from elsewhere); reload the rest.
          this.cursor = f.cursor;
          this.opts.onStatus('open', true);
        }
        return;
      }
      if (typeof f.cursor === 'number' && (this.cursor === undefined || f.cursor > this.cursor)) this.cursor = f.cursor;
      this.opts.onFrame(f, !this.replaying);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      clearInterval(this.ping);
      this.ws = null;
      this.replaying = false;
      if (!opened) this.failures++;
      this.opts.onStatus(this.blocked ? 'blocked' : 'closed', false);
      this.later();
    };
  }

  private later() {
    if (this.stopped) return;
    clearTimeout(this.retry);
    // A draining gateway: reconnect at once, spread over 250 ms so its sockets
    // do not all land on the next gateway in the same instant.
    const wait = this.restarting ? Math.round(Math.random() * 250) : backoffMs(++this.attempt);
    this.restarting = false;
    this.retry = setTimeout(() => void this.connect(), wait);
  }
}

function defaultURL(token: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/v1/ws?access_token=${encodeURIComponent(token)}`;
}
