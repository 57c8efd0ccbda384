// The visitor REST API (docs/api-for-frontends.md, "Visitors (widget)").
// Same-origin requests from the iframe, never with cookies.
import type { Conversation, Message, MessagePage, SessionResult, Visitor, VisitorErasure } from './types'
import type { Identity } from '../shared/protocol'
import type { RatingBody } from './survey'

/** ApiError is a failed call: status 0 for a network failure. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message)
  }
  /** Whether trying again later may work. */
  get retry(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
  }
}

export interface VisitorPatch {
  name?: string
  email?: string
  attributes?: Record<string, string>
  current_url?: string
  locale?: string
  timezone?: string
}

export class Api {
  token = ''
  closed = false
  /** authLost is told when a visitor route refuses the token (revoked elsewhere, or expired). */
  authLost: () => void = () => {}

  constructor(
    private base: string,
    private key: string,
    private fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, token = this.token): Promise<T> {
    if (this.closed) throw new ApiError(0, 'closed', 'the panel was closed')
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (token) headers.Authorization = 'Bearer ' + token
    let res: Response
    try {
      res = await this.fetcher(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      })
    } catch (e) {
      throw new ApiError(0, 'network', (e as Error).message || 'network error')
    }
    if (res.status === 204) return undefined as T
    let data: unknown = null
    try {
      data = await res.json()
    } catch {
      /* not JSON */
    }
    if (res.status === 401 && token && token === this.token && !/\/session(\/revoke)?$/.test(path)) this.authLost()
    if (!res.ok) {
      const p = (data || {}) as { code?: string; detail?: string }
      throw new ApiError(res.status, p.code || 'http_' + res.status, p.detail || res.statusText || 'request failed')
    }
    return data as T
  }

  session(visitorToken: string | undefined, identity: Identity | null): Promise<SessionResult> {
    const body: { visitor_token?: string; identity?: Identity } = {}
    if (visitorToken) body.visitor_token = visitorToken
    if (identity) body.identity = identity
    return this.call('POST', `/api/v1/widget/${encodeURIComponent(this.key)}/session`, body)
  }

  async conversations(): Promise<Conversation[]> {
    const r = await this.call<{ conversations: Conversation[] | null }>('GET', '/api/v1/widget/conversations')
    return r.conversations || []
  }

  /** start opens a conversation; ctx (time zone, locale, page) is stored before the bot answers. */
  start(body: string, cmid: string, ctx: Pick<VisitorPatch, 'timezone' | 'locale' | 'current_url'> = {}): Promise<{ conversation: Conversation; message: Message }> {
    return this.call('POST', '/api/v1/widget/conversations', { body, client_msg_id: cmid, ...ctx })
  }

  send(conv: string, body: string, cmid: string): Promise<Message> {
    return this.call('POST', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/messages`, { body, client_msg_id: cmid })
  }

  messages(conv: string, afterSeq: number): Promise<MessagePage> {
    return this.call('GET', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/messages?after_seq=${afterSeq}`)
  }

  /** allMessages pages through every message after afterSeq. */
  async allMessages(conv: string, afterSeq: number): Promise<Message[]> {
    const out: Message[] = []
    for (let i = 0; i < 100; i++) {
      const page = await this.messages(conv, afterSeq)
      const msgs = page.messages || []
      out.push(...msgs)
      if (!page.has_more || msgs.length === 0) break
      afterSeq = msgs[msgs.length - 1].seq
    }
    return out
  }

  read(conv: string, seq: number): Promise<void> {
    return this.call('POST', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/read`, { seq })
  }

  /** revoke ends a visitor token on the server (Parley('reset')). */
  revoke(token: string): Promise<void> {
    return this.call('POST', '/api/v1/widget/session/revoke', undefined, token)
  }

  /** transcript emails a conversation to the visitor (202). */
  transcript(conv: string, email: string): Promise<void> {
    return this.call('POST', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/transcript`, { email })
  }

  /** rate answers the conversation's survey; the answer is the conversation, now with its rating. */
  rate(conv: string, body: RatingBody): Promise<Conversation> {
    return this.call('POST', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/rating`, body)
  }

  patchVisitor(p: VisitorPatch): Promise<Visitor> {
    return this.call('PATCH', '/api/v1/widget/visitor', p)
  }

  /** exportVisitor is everything Parley holds about the visitor (private notes left out). */
  exportVisitor(): Promise<unknown> {
    return this.call('GET', '/api/v1/widget/visitor/export')
  }

  /** eraseVisitor deletes the visitor's conversations and revokes every token of theirs. */
  eraseVisitor(): Promise<VisitorErasure> {
    return this.call('DELETE', '/api/v1/widget/visitor')
  }
}
