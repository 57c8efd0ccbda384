// The visitor REST API (docs/api-for-frontends.md, "Visitors (widget)").
// Same-origin requests from the iframe, never with cookies.
import type { Attachment, Conversation, Message, MessagePage, SessionResult, UploadPolicy, Visitor, VisitorErasure } from './types'
import type { Sending } from './uploads'
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
    private xhr: () => XMLHttpRequest = () => new XMLHttpRequest(),
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
  start(body: string, cmid: string, ctx: Pick<VisitorPatch, 'timezone' | 'locale' | 'current_url'> = {}, files: string[] = []): Promise<{ conversation: Conversation; message: Message }> {
    return this.call('POST', '/api/v1/widget/conversations', { body, client_msg_id: cmid, ...ctx, ...(files.length ? { attachments: files } : {}) })
  }

  send(conv: string, body: string, cmid: string, files: string[] = []): Promise<Message> {
    return this.call('POST', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/messages`, { body, client_msg_id: cmid, ...(files.length ? { attachments: files } : {}) })
  }

  /** deleteMessage deletes one of the visitor's own messages; the answer is it, now of kind deleted. */
  deleteMessage(conv: string, id: string): Promise<Message> {
    return this.call('DELETE', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/messages/${encodeURIComponent(id)}`)
  }

  policy(): Promise<UploadPolicy> {
    return this.call('GET', '/api/v1/widget/uploads/policy')
  }

  /** file is an attachment with fresh signed URLs (the old ones expired). */
  file(conv: string, id: string): Promise<Attachment> {
    return this.call('GET', `/api/v1/widget/conversations/${encodeURIComponent(conv)}/files/${encodeURIComponent(id)}`)
  }

  /**
   * upload sends one file as multipart/form-data (part "file") with
   * XMLHttpRequest, for its upload progress; abort() cancels it. A failure
   * is an ApiError with the server's status and detail (status 0: network
   * or aborted).
   */
  upload(file: Blob & { name: string }, progress: (loaded: number) => void): Sending {
    const x = this.xhr()
    const done = new Promise<Attachment>((resolve, reject) => {
      x.open('POST', this.base + '/api/v1/widget/uploads')
      x.setRequestHeader('Accept', 'application/json')
      if (this.token) x.setRequestHeader('Authorization', 'Bearer ' + this.token)
      x.upload.onprogress = (e) => progress(e.loaded)
      x.onload = () => {
        let data: { code?: string; detail?: string } | null = null
        try {
          data = JSON.parse(x.responseText)
        } catch {
          /* not JSON */
        }
        if (x.status >= 200 && x.status < 300 && data) resolve(data as unknown as Attachment)
        else reject(new ApiError(x.status, data?.code || 'http_' + x.status, data?.detail || x.statusText || 'upload failed'))
      }
      x.onerror = () => reject(new ApiError(0, 'network', 'network error'))
      x.onabort = () => reject(new ApiError(0, 'aborted', 'cancelled'))
      const form = new FormData()
      form.append('file', file, file.name)
      x.send(form)
    })
    return { done, abort: () => x.abort() }
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
