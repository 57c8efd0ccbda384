// Issue 12 in the widget: "How did we do?" at the end of a resolved
// conversation, its scales, the answer, and what a 409 or a failure shows.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Survey, choices, mark, ratingChoice, type RatingBody } from '../src/panel/survey'
import { ApiError } from '../src/panel/api'
import { strings } from '../src/panel/i18n'
import { Panel } from '../src/panel/panel'
import { hostTokens, memory } from '../src/panel/storage'
import type { Conversation } from '../src/panel/types'
import { FakeWS, msg, until, visitor } from './helpers'

const t = strings.en
const base: Conversation = { id: 'c1', status: 'resolved', last_seq: 2, agent_read_seq: 2, visitor_read_seq: 2, created_at: '2026-03-02T10:00:00Z', last_activity_at: '2026-03-02T10:05:00Z' }
const asking = (scale = 'five', resolution = 1): Conversation => ({ ...base, survey: { scale, resolution } })
const rated = (score: number, scale = 'five', resolution = 1): Conversation => ({ ...base, rating: { score, scale, resolution, rated_at: '2026-03-02T10:06:00Z' } })

describe('the scales', () => {
  it('five faces from very unhappy to very happy, thumbs down as 1 and up as 5', () => {
    expect(choices('five', t).map((c) => [c.score, c.label])).toEqual([
      [1, '1 — very unhappy'],
      [2, '2 — unhappy'],
      [3, '3 — neutral'],
      [4, '4 — happy'],
      [5, '5 — very happy'],
    ])
    expect(choices('thumbs', t).map((c) => [c.score, c.label])).toEqual([
      [1, 'Thumbs down — unhappy'],
      [5, 'Thumbs up — happy'],
    ])
  })
  it('faces frown at 1, are straight at 3 and smile at 5; thumbs down is thumbs up turned over', () => {
    const mouth = (score: number) => mark('five', score).querySelector('path')!.getAttribute('d')!.split('M7.5 ')[1]
    expect([1, 3, 5].map(mouth)).toEqual(['16.3Q12 11.5 16.5 16.3', '15.5Q12 15.5 16.5 15.5', '14.7Q12 19.5 16.5 14.7'])
    expect(mark('thumbs', 1).querySelector('path')!.getAttribute('transform')).toBe('rotate(180 12 12)')
    expect(mark('thumbs', 5).querySelector('path')!.hasAttribute('transform')).toBe(false)
    expect(mark('five', 4).getAttribute('aria-hidden')).toBe('true')
  })
  it('a rating shows with the button it was given with', () => {
    expect(ratingChoice(rated(4).rating!, t).label).toBe('4 — happy')
    expect(ratingChoice(rated(5, 'thumbs').rating!, t).label).toBe('Thumbs up — happy')
    expect(ratingChoice(rated(1, 'thumbs').rating!, strings.de).label).toBe('Daumen runter — unzufrieden')
  })
})

describe('the card', () => {
  let root: HTMLElement
  let conv: Conversation
  let sent: RatingBody[]
  let answer: () => Promise<Conversation>
  let reloaded: number
  let card: Survey

  const draw = () => {
    const n = card.draw(conv, t)
    root.replaceChildren(...(n ? [n] : []))
  }
  const scale = () => [...root.querySelectorAll<HTMLButtonElement>('.sc button')]
  const pressed = () => scale().map((b) => b.getAttribute('aria-pressed'))
  const send = () => root.querySelector<HTMLFormElement>('form.svf')!.dispatchEvent(new Event('submit', { cancelable: true }))

  beforeEach(() => {
    root = document.createElement('div')
    document.body.replaceChildren(root)
    conv = asking()
    sent = []
    reloaded = 0
    answer = async () => rated(sent[sent.length - 1].score)
    card = new Survey({
      rate: (id, body) => (expect(id).toBe('c1'), sent.push(body), answer()),
      rated: (c) => ((conv = c), draw()),
      reload: async () => {
        reloaded++
        conv = rated(2)
      },
      render: draw,
      root,
    })
    draw()
  })

  it('asks with five labelled buttons, then a comment and Send, and thanks with the rating', async () => {
    expect(root.querySelector('h2')!.textContent).toBe('How did we do?')
    expect(root.querySelector('[role=group]')!.getAttribute('aria-labelledby')).toBe('svh')
    expect(scale().map((b) => b.getAttribute('aria-label'))).toEqual(choices('five', t).map((c) => c.label))
    expect(pressed()).toEqual(['false', 'false', 'false', 'false', 'false'])
    expect(root.querySelector('textarea')).toBeNull() // the comment comes with a choice

    scale()[3].click()
    expect(pressed()).toEqual(['false', 'false', 'false', 'true', 'false'])
    const box = root.querySelector<HTMLTextAreaElement>('#svc')!
    expect(root.querySelector('label[for=svc]')!.textContent).toBe('Tell us more (optional)')
    expect(box.maxLength).toBe(2000)
    box.value = '  Quick and kind  '
    scale()[2].click() // changing one's mind keeps the comment
    expect(root.querySelector<HTMLTextAreaElement>('#svc')!.value).toBe('  Quick and kind  ')
    scale()[3].click()
    send()
    await until(() => root.querySelector('.sv.done') !== null, 'the thanks')
    expect(sent).toEqual([{ resolution: 1, score: 4, comment: 'Quick and kind' }])
    expect(root.querySelector('[role=status]')!.textContent).toBe('Thanks for your feedback!')
    expect(root.querySelector('.sv.done')!.textContent).toContain('Your rating: 4 — happy')
    expect(root.querySelector('.sc')).toBeNull()
    await until(() => document.activeElement === root.querySelector('[role=status]'), 'focus on the thanks')
  })

  it('sends no comment when none is written, and says it is sending meanwhile', async () => {
    let settle!: (c: Conversation) => void
    answer = () => new Promise((r) => (settle = r))
    scale()[0].click()
    send()
    const button = root.querySelector<HTMLButtonElement>('form.svf button')!
    expect(button.textContent).toBe(t.sending)
    expect(button.getAttribute('aria-disabled')).toBe('true')
    send() // a second submit while sending asks nothing more
    expect(sent).toEqual([{ resolution: 1, score: 1 }])
    settle(rated(1))
    await until(() => root.querySelector('.sv.done') !== null, 'the thanks')
  })

  it('the thumbs scale has two buttons that send 1 and 5', async () => {
    conv = asking('thumbs')
    draw()
    expect(scale().map((b) => b.getAttribute('aria-label'))).toEqual(['Thumbs down — unhappy', 'Thumbs up — happy'])
    scale()[1].click()
    answer = async () => rated(5, 'thumbs')
    send()
    await until(() => root.querySelector('.sv.done') !== null, 'the thanks')
    expect(sent).toEqual([{ resolution: 1, score: 5 }])
    expect(root.querySelector('.sv.done')!.textContent).toContain('Your rating: Thumbs up — happy')
  })

  it('a 409 is a rating given elsewhere: the conversation is reloaded and its rating shown', async () => {
    answer = () => Promise.reject(new ApiError(409, 'conflict', 'this resolution was rated already'))
    scale()[4].click()
    send()
    await until(() => root.querySelector('.sv.done') !== null, 'the rating given elsewhere')
    expect(reloaded).toBe(1)
    expect(root.querySelector('.sv.done')!.textContent).toContain('Your rating: 2 — unhappy')
  })

  it('a failure is said in the card, and the choice and comment stay for another try', async () => {
    answer = () => Promise.reject(new ApiError(503, 'unavailable', 'conversation service unavailable'))
    scale()[1].click()
    root.querySelector<HTMLTextAreaElement>('#svc')!.value = 'Slow'
    send()
    await until(() => root.querySelector('#svn')!.textContent !== '', 'the error')
    expect(root.querySelector('#svn')!.textContent).toBe(t.rateFailed)
    expect(root.querySelector('#svn')!.getAttribute('role')).toBe('alert')
    expect(pressed()).toEqual(['false', 'true', 'false', 'false', 'false'])
    answer = () => Promise.reject(new ApiError(400, 'invalid', 'comment must be at most 2000 characters'))
    send()
    await until(() => root.querySelector('#svn')!.textContent === 'comment must be at most 2000 characters', 'the server’s reason')
    expect(sent).toEqual([
      { resolution: 1, score: 2, comment: 'Slow' },
      { resolution: 1, score: 2, comment: 'Slow' },
    ])
  })

  it('nothing while open, the rating once rated, a new prompt for a new resolution', () => {
    conv = { ...base, status: 'open', rating: rated(3).rating }
    draw()
    expect(root.children).toHaveLength(0)
    conv = rated(3)
    draw()
    expect(root.querySelector('.sc')).toBeNull()
    expect(root.textContent).toContain('Your rating: 3 — neutral')
    conv = { ...rated(3), survey: { scale: 'five', resolution: 2 } }
    draw()
    expect(pressed()).toEqual(['false', 'false', 'false', 'false', 'false'])
  })
})

describe('in the panel', () => {
  const config = {
    business_name: 'Acme',
    widget: { enabled: true, color: '#2563eb', position: 'right', launcher_text: '', greeting_anonymous: '', greeting_identified: '', greeting_delay_seconds: -1, theme: 'auto', locale: 'en', reply_time: 'minutes', require_verified_identity: false },
    offline_message: '',
    agents_online: [{ type: 'agent', id: 'a1', name: 'Alice' }],
    within_business_hours: true,
  }
  let root: HTMLElement
  let panel: Panel | undefined
  let listed: Conversation
  const posted: { path: string; body: unknown }[] = []

  function start() {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        const p = new URL(url).pathname
        if (p.endsWith('/session')) return json(200, { visitor_token: 't', visitor: { id: 'v1', verified: false }, config })
        if (p === '/api/v1/widget/conversations') return json(200, { conversations: [listed] })
        if (p === '/api/v1/widget/conversations/c1/messages') return json(200, { messages: [msg(1, visitor), msg(2)], has_more: false })
        if (p === '/api/v1/widget/conversations/c1/rating') {
          const body = JSON.parse(String(init.body))
          posted.push({ path: p, body })
          return json(200, rated(body.score))
        }
        return new Response(null, { status: 204 })
      }),
    )
    panel = new Panel({ key: 'wk_1', base: 'https://chat.example', kv: memory(), tokens: hostTokens(() => {}), host: () => {}, embedded: true, root })
    panel.init(null, {}, false, '', true, false, 'c1')
  }

  beforeEach(() => {
    FakeWS.all = []
    vi.stubGlobal('WebSocket', FakeWS)
    posted.length = 0
    root = document.createElement('div')
    document.body.replaceChildren(root)
  })
  afterEach(() => {
    panel?.destroy()
    vi.unstubAllGlobals()
  })

  it('the card appears when the agent resolves, live, and the answer is posted', async () => {
    listed = { ...base, status: 'open' }
    start()
    await until(() => root.querySelectorAll('.log .b').length === 2 && FakeWS.all.length === 1, 'the history and the socket')
    expect(root.querySelector('.sv')).toBeNull()
    FakeWS.all[0].frame({ type: 'conversation.updated', conversation: asking() })
    await until(() => root.querySelector('.sv .sc') !== null, 'the survey')
    expect(root.querySelector('[aria-live]')!.textContent).toBe('How did we do?')
    // At the end of the thread: after the messages.
    expect(root.querySelector('.log')!.compareDocumentPosition(root.querySelector('.sv')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    root.querySelectorAll<HTMLButtonElement>('.sc button')[4].click()
    await until(() => root.querySelector('form.svf') !== null, 'the comment')
    root.querySelector<HTMLFormElement>('form.svf')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await until(() => root.querySelector('.sv.done') !== null, 'the thanks')
    expect(posted).toEqual([{ path: '/api/v1/widget/conversations/c1/rating', body: { resolution: 1, score: 5 } }])
    expect(root.querySelector('.sv.done')!.textContent).toContain('Your rating: 5 — very happy')
  })

  it('a conversation rated before shows its rating, no prompt', async () => {
    listed = rated(4)
    start()
    await until(() => root.querySelector('.sv.done') !== null, 'the rating')
    expect(root.querySelector('.sc')).toBeNull()
    expect(root.querySelector('.sv.done')!.textContent).toContain('Your rating: 4 — happy')
  })
})
