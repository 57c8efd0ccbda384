// The files the visitor is attaching to the message being written: each is
// checked against the policy first (a refused file is never sent), then
// uploaded on its own with its progress, and can be cancelled (the request
// is aborted) or removed. Sending the message takes the uploaded ones.
import type { Attachment } from './types'
import type { FileLike } from './files'

export interface Upload {
  id: number
  name: string
  size: number
  loaded: number
  state: 'up' | 'done' | 'failed'
  error?: string
  file?: Attachment
  abort?: () => void
}

/** A running upload: its result, and how to stop it. */
export interface Sending {
  done: Promise<Attachment>
  abort: () => void
}

export interface UploadDeps<F extends FileLike> {
  /** send starts uploading f, reporting the bytes sent so far. */
  send: (f: F, progress: (loaded: number) => void) => Sending
  /** check is why f may not be sent ("" if it may). */
  check: (f: F) => string
  /** refused is what a failed upload of f says. */
  refused: (e: unknown, f: F) => string
  changed: () => void
}

export class Uploads<F extends FileLike = File> {
  items: Upload[] = []
  private seq = 0

  constructor(
    private d: UploadDeps<F>,
    private max: number,
  ) {}

  /** add checks and starts uploading files; beyond max per message, the rest are refused with tooMany. */
  add(files: F[], tooMany: string) {
    for (const f of files) {
      const u: Upload = { id: ++this.seq, name: f.name, size: f.size, loaded: 0, state: 'up' }
      this.items.push(u)
      const why = this.items.filter((x) => x.state !== 'failed').length > this.max ? tooMany : this.d.check(f)
      if (why) {
        u.state = 'failed'
        u.error = why
        continue
      }
      const s = this.d.send(f, (n) => {
        u.loaded = Math.min(n, u.size)
        this.d.changed()
      })
      u.abort = s.abort
      s.done.then(
        (a) => {
          u.state = 'done'
          u.loaded = u.size
          u.file = a
          u.abort = undefined
          this.d.changed()
        },
        (e) => {
          if (!this.items.includes(u)) return // cancelled
          u.state = 'failed'
          u.error = this.d.refused(e, f)
          u.abort = undefined
          this.d.changed()
        },
      )
    }
    this.d.changed()
  }

  /** remove cancels an upload that runs (aborting its request) and forgets it. */
  remove(id: number) {
    const u = this.items.find((x) => x.id === id)
    if (!u) return
    this.items = this.items.filter((x) => x !== u)
    u.abort?.()
    this.d.changed()
  }

  get busy() {
    return this.items.some((u) => u.state === 'up')
  }

  /** files are the uploaded files, in the order they were added. */
  get files(): Attachment[] {
    return this.items.filter((u) => u.state === 'done' && u.file).map((u) => u.file as Attachment)
  }

  /** take returns the uploaded files and forgets every item (the message is sent). */
  take(): Attachment[] {
    const out = this.files
    this.clear()
    return out
  }

  clear() {
    for (const u of this.items) u.abort?.()
    this.items = []
    this.d.changed()
  }
}
