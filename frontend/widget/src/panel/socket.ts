// The visitor's WebSocket: reconnects by itself with capped, jittered
// exponential backoff, and reports each (re)connection so the panel can
// resume with after_seq. Frames: services/gateway/internal/realtime/frames.go.
import type { ServerFrame } from './types'

/** backoff is the wait before reconnect attempt n (0-based): 0.5 s doubling to 30 s, ±20 %. */
export function backoff(n: number, rand: () => number = Math.random): number {
  const base = Math.min(30000, 500 * Math.pow(2, Math.min(n, 16)))
  return Math.round(base * (0.8 + 0.4 * rand()))
}

export interface SocketHooks {
  url(): string
  frame(f: ServerFrame): void
  up(): void // connected (hello received)
  down(): void // connection lost
}

type WSCtor = new (url: string) => WebSocket

export class Socket {
  private ws: WebSocket | null = null
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private ping: ReturnType<typeof setInterval> | undefined
  private lastFrame = 0
  private stopped = true
  private restarting = false // the gateway said "reconnect": another one answers at once
  connected = false

  constructor(
    private hooks: SocketHooks,
    private WS: WSCtor = WebSocket,
  ) {
    addEventListener('online', () => this.now())
  }

  start() {
    this.stopped = false
    this.open()
  }

  stop() {
    this.stopped = true
    clearTimeout(this.timer)
    clearInterval(this.ping)
    const ws = this.ws
    this.ws = null
    if (ws) ws.close()
    if (this.connected) {
      this.connected = false
      this.hooks.down()
    }
  }

  /** now reconnects at once (the browser says it is back online). */
  now() {
    if (this.stopped || this.connected) return
    clearTimeout(this.timer)
    this.attempt = 0
    this.open()
  }

  send(frame: object): boolean {
    if (!this.ws || !this.connected) return false
    this.ws.send(JSON.stringify(frame))
    return true
  }

  private open() {
    clearTimeout(this.timer)
    if (this.ws) return
    let ws: WebSocket
    try {
      ws = new this.WS(this.hooks.url())
    } catch {
      this.retry()
      return
    }
    this.ws = ws
    ws.onmessage = (e) => {
      this.lastFrame = Date.now()
      let f: ServerFrame
      try {
        f = JSON.parse(String(e.data))
      } catch {
        return
      }
      if (!f || typeof f.type !== 'string') return
      if (f.type === 'hello') {
        this.attempt = 0
        this.connected = true
        this.hooks.up()
        return
      }
      if (f.type === 'reconnect') {
        this.restarting = true
        return
      }
      this.hooks.frame(f)
    }
    ws.onclose = () => {
      if (this.ws !== ws) return
      this.ws = null
      clearInterval(this.ping)
      if (this.connected) {
        this.connected = false
        this.hooks.down()
      }
      this.retry()
    }
    ws.onerror = () => ws.close()
    // A socket that hears nothing for 70 s (the server pings every 25 s,
    // and answers our ping) is dead even if the browser has not noticed.
    this.lastFrame = Date.now()
    clearInterval(this.ping)
    this.ping = setInterval(() => {
      if (Date.now() - this.lastFrame > 70000) ws.close()
      else if (this.connected) ws.send('{"type":"ping"}')
    }, 30000)
  }

  private retry() {
    if (this.stopped) return
    clearTimeout(this.timer)
    // A draining gateway: reconnect at once, spread over 250 ms.
    const wait = this.restarting ? Math.round(Math.random() * 250) : backoff(this.attempt++)
    this.restarting = false
    this.timer = setTimeout(() => this.open(), wait)
  }
}
