// Files in the chat, the logic: sizes, the policy checks made before a byte
// is sent, the server's refusals, URLs only on Parley's origin, the upload
// queue (progress, cancel), the XMLHttpRequest upload, and the words in all
// four languages.
import { describe, expect, it, vi } from 'vitest'
import { checkFile, expired, humanSize, isImage, kindOf, parleyUrl, typeLabel, uploadError } from '../src/panel/files'
import { Uploads, type Sending } from '../src/panel/uploads'
import { Api, ApiError } from '../src/panel/api'
import { strings } from '../src/panel/i18n'
import type { Attachment, UploadPolicy } from '../src/panel/types'

const t = strings.en
const policy: UploadPolicy = { enabled: true, max_file_bytes: 10 << 20, kinds: ['image', 'document', 'archive', 'media'], accept: '', storage_full: false }
const file = (name: string, size: number, type = '') => ({ name, size, type })
/** sp makes Intl's narrow and no-break spaces plain, to compare with ordinary text. */
const sp = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ')

describe('humanSize', () => {
  it('counts in 1024 steps, in the visitor’s language', () => {
    expect(sp(humanSize(5, 'en'))).toBe('5 bytes')
    expect(sp(humanSize(1536, 'en'))).toBe('1.5 kB')
    expect(sp(humanSize(10 << 20, 'en'))).toBe('10 MB')
    expect(sp(humanSize(25 * 1024 * 1024 + 1, 'en'))).toBe('25 MB')
    expect(sp(humanSize(1536, 'fr'))).toBe('1,5 ko')
    expect(sp(humanSize(1536, 'de'))).toBe('1,5 kB')
    expect(sp(humanSize(3 * 1024 ** 3, 'es'))).toBe('3 GB')
  })
})

describe('the policy check before upload', () => {
  it('lets an allowed file through', () => {
    expect(checkFile(file('photo.jpg', 2000, 'image/jpeg'), policy, t, 'en')).toBe('')
    expect(checkFile(file('report.pdf', 2000), policy, t, 'en')).toBe('')
  })
  it('refuses a file over the size limit, saying the limit', () => {
    expect(checkFile(file('big.pdf', (10 << 20) + 1, 'application/pdf'), policy, t, 'en')).toBe('big.pdf is too large: files can be up to 10 MB.')
    expect(sp(checkFile(file('big.pdf', (10 << 20) + 1, 'application/pdf'), policy, strings.fr, 'fr'))).toBe('big.pdf est trop volumineux : les fichiers peuvent faire jusqu’à 10 Mo.')
  })
  it('refuses a kind the tenant does not allow', () => {
    const images = { ...policy, kinds: ['image'] }
    expect(checkFile(file('notes.pdf', 10, 'application/pdf'), images, t, 'en')).toBe('notes.pdf: this type of file can’t be sent here.')
    // HTML, SVG and scripts are "other" whatever their name.
    expect(checkFile(file('page.png', 10, 'text/html'), policy, t, 'en')).toMatch(/this type of file/)
    expect(checkFile(file('logo.svg', 10, 'image/svg+xml'), policy, t, 'en')).toMatch(/this type of file/)
  })
  it('refuses everything when files are off or storage is full, and empty files', () => {
    expect(checkFile(file('a.png', 10, 'image/png'), { ...policy, enabled: false }, t, 'en')).toBe(t.filesOff)
    expect(checkFile(file('a.png', 10, 'image/png'), { ...policy, storage_full: true }, t, 'en')).toMatch(/storage is full/)
    expect(checkFile(file('a.png', 0, 'image/png'), policy, t, 'en')).toBe('a.png is empty.')
  })
  it('guesses kinds from types and names', () => {
    expect(kindOf('image/webp', 'x')).toBe('image')
    expect(kindOf('', 'a.MP4')).toBe('media')
    expect(kindOf('application/zip', 'a')).toBe('archive')
    expect(kindOf('', 'a.docx')).toBe('document')
    expect(kindOf('application/octet-stream', 'a.exe')).toBe('other')
  })
})

describe('what a refused upload says', () => {
  it('413, 415, 429 and others', () => {
    expect(uploadError(413, 'file: too large', 'a.zip', policy, t, 'en')).toBe('a.zip is too large: files can be up to 10 MB.')
    expect(uploadError(413, 'storage is full', 'a.zip', policy, t, 'en')).toMatch(/storage is full/)
    expect(uploadError(415, '', 'a.zip', policy, t, 'en')).toBe('a.zip: this type of file can’t be sent here.')
    expect(uploadError(429, '', 'a.zip', policy, t, 'en')).toBe(t.upBusy)
    expect(uploadError(0, 'network', 'a.zip', policy, t, 'en')).toBe('a.zip could not be uploaded. Please try again.')
  })
})

describe('URLs', () => {
  const base = 'https://chat.parley.example'
  it('only paths on Parley’s origin', () => {
    expect(parleyUrl(base, '/api/v1/files/tok')).toBe(base + '/api/v1/files/tok')
    expect(parleyUrl(base, 'https://evil.example/x.png')).toBeNull()
    expect(parleyUrl(base, '//evil.example/x.png')).toBeNull()
    expect(parleyUrl(base, 'javascript:alert(1)')).toBeNull()
    expect(parleyUrl(base, '/\\evil.example')).toBe(base + '//evil.example')
    expect(parleyUrl(base, undefined)).toBeNull()
  })
  it('expiry, images and type labels', () => {
    const a: Attachment = { id: 'f', name: 'evil.png', content_type: 'text/html', size: 10, kind: 'other', url: '/api/v1/files/t' }
    expect(isImage(a)).toBe(false)
    expect(typeLabel(a)).toBe('HTML')
    expect(typeLabel({ ...a, name: 'r.pdf', content_type: 'application/pdf' })).toBe('PDF')
    expect(typeLabel({ ...a, name: 'n.docx', content_type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' })).toBe('DOCX')
    expect(isImage({ ...a, kind: 'image', content_type: 'image/png', thumbnail_url: '/api/v1/files/th' })).toBe(true)
    expect(expired({ ...a, expires_at: new Date(Date.now() - 1000).toISOString() })).toBe(true)
    expect(expired({ ...a, expires_at: new Date(Date.now() + 600000).toISOString() })).toBe(false)
    expect(expired(a)).toBe(false)
  })
})

/** A fake sender: each upload is resolved, failed or aborted by the test. */
function sender() {
  const runs: { name: string; progress: (n: number) => void; ok: (a: Attachment) => void; fail: (e: unknown) => void; aborted: boolean }[] = []
  const send = (f: { name: string }, progress: (n: number) => void): Sending => {
    const run = { name: f.name, progress, ok: (_: Attachment) => {}, fail: (_: unknown) => {}, aborted: false }
    const done = new Promise<Attachment>((res, rej) => {
      run.ok = res
      run.fail = rej
    })
    runs.push(run)
    return {
      done,
      abort: () => {
        run.aborted = true
        run.fail(new ApiError(0, 'aborted', 'cancelled'))
      },
    }
  }
  return { runs, send }
}

const att = (id: string, name: string): Attachment => ({ id, name, content_type: 'image/png', size: 100, kind: 'image' })

describe('the upload queue', () => {
  const queue = (s: ReturnType<typeof sender>, changed = vi.fn()) =>
    new Uploads<{ name: string; size: number; type: string }>(
      { send: s.send, check: (f) => checkFile(f, policy, t, 'en'), refused: (e, f) => uploadError((e as ApiError).status, (e as ApiError).message, f.name, policy, t, 'en'), changed },
      3,
    )

  it('uploads several files at once with their progress', async () => {
    const s = sender()
    const changed = vi.fn()
    const q = queue(s, changed)
    q.add([file('a.png', 100, 'image/png'), file('b.pdf', 200, 'application/pdf')], 'too many')
    expect(s.runs.map((r) => r.name)).toEqual(['a.png', 'b.pdf'])
    expect(q.busy).toBe(true)
    s.runs[1].progress(50)
    expect(q.items[1].loaded).toBe(50)
    expect(changed).toHaveBeenCalled()
    s.runs[0].ok(att('f1', 'a.png'))
    s.runs[1].ok(att('f2', 'b.pdf'))
    await Promise.resolve()
    await Promise.resolve()
    expect(q.busy).toBe(false)
    expect(q.items.map((u) => [u.state, u.loaded])).toEqual([
      ['done', 100],
      ['done', 200],
    ])
    expect(q.take().map((a) => a.id)).toEqual(['f1', 'f2'])
    expect(q.items).toEqual([])
  })

  it('sends no byte of a refused file, and refuses beyond the per-message limit', () => {
    const s = sender()
    const q = queue(s)
    q.add([file('huge.zip', (10 << 20) + 1), file('x.html', 10, 'text/html'), file('1.png', 1, 'image/png'), file('2.png', 1, 'image/png'), file('3.png', 1, 'image/png'), file('4.png', 1, 'image/png')], 'At most 3')
    expect(s.runs.map((r) => r.name)).toEqual(['1.png', '2.png', '3.png'])
    expect(q.items.map((u) => u.error || '')).toEqual(['huge.zip is too large: files can be up to 10 MB.', 'x.html: this type of file can’t be sent here.', '', '', '', 'At most 3'])
  })

  it('cancel aborts the request and forgets the file; a server refusal is said', async () => {
    const s = sender()
    const q = queue(s)
    q.add([file('a.png', 100, 'image/png'), file('b.png', 100, 'image/png')], '')
    q.remove(q.items[0].id)
    expect(s.runs[0].aborted).toBe(true)
    expect(q.items.map((u) => u.name)).toEqual(['b.png'])
    s.runs[1].fail(new ApiError(415, 'unsupported_media', 'file: not allowed'))
    await Promise.resolve()
    await Promise.resolve()
    expect(q.items[0].state).toBe('failed')
    expect(q.items[0].error).toBe('b.png: this type of file can’t be sent here.')
    expect(q.take()).toEqual([])
  })
})

/** FakeXHR records the request and lets the test drive its upload. */
class FakeXHR {
  static last: FakeXHR
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: FormData | null = null
  status = 0
  statusText = ''
  responseText = ''
  aborted = false
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() {
    FakeXHR.last = this
  }
  open(m: string, u: string) {
    this.method = m
    this.url = u
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v
  }
  send(b: FormData) {
    this.body = b
  }
  abort() {
    this.aborted = true
    this.onabort?.()
  }
  answer(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

describe('Api.upload', () => {
  const api = () => {
    const a = new Api('https://chat.parley.example', 'wk_1', vi.fn(), () => new FakeXHR() as unknown as XMLHttpRequest)
    a.token = 'tok'
    return a
  }
  const blob = () => new File(['hello'], 'hello.txt', { type: 'text/plain' })

  it('posts one multipart part named file with the visitor token, reporting progress', async () => {
    const seen: number[] = []
    const s = api().upload(blob(), (n) => seen.push(n))
    const x = FakeXHR.last
    expect([x.method, x.url, x.headers.Authorization]).toEqual(['POST', 'https://chat.parley.example/api/v1/widget/uploads', 'Bearer tok'])
    const part = x.body!.get('file') as File
    expect(part.name).toBe('hello.txt')
    expect(await part.text()).toBe('hello')
    expect([...x.body!.keys()]).toEqual(['file'])
    x.upload.onprogress!({ loaded: 3 })
    x.answer(201, att('f1', 'hello.txt'))
    expect((await s.done).id).toBe('f1')
    expect(seen).toEqual([3])
  })

  it('a refusal carries the status; abort cancels', async () => {
    const s = api().upload(blob(), () => {})
    FakeXHR.last.answer(413, { code: 'too_large', detail: 'file: too large', field: 'file' })
    await expect(s.done).rejects.toMatchObject({ status: 413, code: 'too_large' })
    const c = api().upload(blob(), () => {})
    c.abort()
    expect(FakeXHR.last.aborted).toBe(true)
    await expect(c.done).rejects.toMatchObject({ status: 0, code: 'aborted' })
  })
})

describe('translations of the file words', () => {
  it('exist in all four languages with the same placeholders', () => {
    const keys = ['attach', 'dropHere', 'filesOff', 'storageFull', 'fileEmpty', 'fileTooBig', 'fileKind', 'upFailed', 'upBusy', 'tooMany', 'uploading', 'cancelUp', 'removeFile', 'stillUploading', 'deleted', 'delMsg', 'delAsk', 'delYes', 'delNo', 'delFailed', 'openImage', 'closeImage', 'download', 'attachment'] as const
    const holes = (s: string) => (s.match(/\{\w\}/g) || []).sort().join()
    for (const [l, s] of Object.entries(strings))
      for (const k of keys) {
        expect(s[k], `${l}.${k}`).toBeTruthy()
        expect(holes(s[k]), `${l}.${k}`).toBe(holes(strings.en[k]))
      }
  })
})
