// What both front ends' browser tests share: polling, and a private Parley
// process (its own data dir and port) built from this checkout. Only Node's
// built-ins here: each front end brings its own playwright-core.
//
// Email: start(name, { mail: true }) also runs Mailpit (a real SMTP server,
// `go install github.com/axllent/mailpit@v1.33.1`) and points Parley's
// outbound mail at it, opens Parley's reply listener on a free port and sets
// short notify delays; parley.mail reads what arrived and sendMail() talks
// SMTP to the reply listener like a visitor's mail server would.
//
// Env:
//   PARLEY_E2E_BIN     use this parley binary instead of building one
//   CHROMIUM_PATH      Chromium to drive (default /usr/bin/chromium)
//   PARLEY_E2E_KEEP=1  keep the temp dir (server log, data) after the run
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** until polls fn until it returns something truthy (never a fixed sleep). */
export async function until(fn, what, timeout = 15000, every = 100) {
  const end = Date.now() + timeout
  let last
  while (Date.now() < end) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, every))
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ': ' + last.message : ''}`)
}

/** freePort asks the kernel for a port nobody listens on. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}

function run(cmd, args, cwd) {
  const t = Date.now()
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}`)
  console.log(`# ${cmd} ${args.join(' ')}: ${((Date.now() - t) / 1000).toFixed(1)} s`)
}

/** Chromium's launch options for the tests (pass them to chromium.launch). */
export const chromiumOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
}

/** Parley is one all-in-one process, started for a test file and stopped after it. */
export class Parley {
  /**
   * start builds what is missing (unless PARLEY_E2E_BIN is given) and waits for /readyz.
   * options.publicHost names Parley for the browser (PARLEY_PUBLIC_URL, publicBase), e.g.
   * parley.test mapped to loopback by Chromium's --host-resolver-rules; Node still uses base.
   * options.mail: also run Mailpit and send email through it (see the top of this file);
   * options.env: more PARLEY_* variables (they win over the defaults here).
   */
  async start(name, options = {}) {
    const { publicHost } = options
    this.tmp = mkdtempSync(join(tmpdir(), `parley-${name}-e2e-`))
    let bin = process.env.PARLEY_E2E_BIN
    if (!bin) {
      // Both front ends are embedded in the binary: build them first.
      const gateway = join(repoRoot, 'services/gateway/internal')
      if (!existsSync(join(gateway, 'widgetweb/dist/loader.js'))) run('npm', ['run', 'build'], join(repoRoot, 'frontend/widget'))
      if (!existsSync(join(gateway, 'dashboardweb/dist/index.html'))) run('npm', ['run', 'build'], join(repoRoot, 'frontend/dashboard'))
      bin = join(this.tmp, 'parley')
      run('go', ['build', '-o', bin, './services/allinone/cmd/parley'], repoRoot)
    }
    this.port = await freePort()
    this.base = `http://127.0.0.1:${this.port}`
    this.publicBase = publicHost ? `http://${publicHost}:${this.port}` : this.base
    this.logFile = join(this.tmp, 'parley.log')
    const log = openSync(this.logFile, 'a')
    const env = { ...process.env, PARLEY_DATA_DIR: join(this.tmp, 'data'), PARLEY_HTTP_ADDR: `127.0.0.1:${this.port}`, PARLEY_PUBLIC_URL: this.publicBase, PARLEY_BOT_ALLOW_PRIVATE_NETWORKS: 'true' }
    if (options.mail) {
      this.mail = new Mailpit()
      await this.mail.start(join(this.tmp, 'mailpit'))
      this.inboundPort = await freePort()
      Object.assign(env, {
        PARLEY_SMTP_URL: this.mail.smtpURL,
        PARLEY_EMAIL_FROM: 'Parley <no-reply@parley.test>',
        PARLEY_INBOUND_SMTP_ADDR: `127.0.0.1:${this.inboundPort}`,
        PARLEY_INBOUND_DOMAIN: 'parley.test',
        PARLEY_NOTIFY_VISITOR_DELAY: '2s',
        PARLEY_NOTIFY_DIGEST_INTERVAL: '5s',
      })
    }
    Object.assign(env, options.env || {})
    this.proc = spawn(bin, [], { env, stdio: ['ignore', log, log] })
    this.exited = false
    this.proc.on('exit', () => (this.exited = true))
    await until(async () => {
      if (this.exited) throw new Error('parley exited:\n' + this.logTail())
      return (await fetch(this.base + '/readyz')).ok
    }, 'parley /readyz', 120000, 200)
  }

  logTail() {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-40).join('\n')
    } catch {
      return ''
    }
  }

  async stop() {
    if (this.proc && !this.exited) {
      this.proc.kill('SIGTERM')
      await until(() => this.exited, 'parley to stop', 10000).catch(() => this.proc.kill('SIGKILL'))
    }
    if (this.mail) await this.mail.stop()
    if (process.env.PARLEY_E2E_KEEP) console.log('# kept ' + this.tmp)
    else if (this.tmp) rmSync(this.tmp, { recursive: true, force: true })
  }
}

/** goBinary finds a program installed with `go install` (PATH, then GOPATH/bin, then ~/go/bin). */
function goBinary(name) {
  const dirs = [...(process.env.PATH || '').split(delimiter)]
  for (const gp of (process.env.GOPATH || '').split(delimiter)) if (gp) dirs.push(join(gp, 'bin'))
  dirs.push(join(homedir(), 'go', 'bin'))
  for (const d of dirs) if (d && existsSync(join(d, name))) return join(d, name)
  throw new Error(`${name} is not installed: go install github.com/axllent/mailpit@v1.33.1`)
}

/** Mailpit is a real SMTP server for a test file, read through its HTTP API. */
export class Mailpit {
  async start(dir) {
    this.smtpPort = await freePort()
    this.httpPort = await freePort()
    this.smtpURL = `smtp://127.0.0.1:${this.smtpPort}`
    this.api = `http://127.0.0.1:${this.httpPort}/api/v1`
    this.exited = false
    this.proc = spawn(
      goBinary('mailpit'),
      ['--database', join(dir + '.db'), '--smtp', `127.0.0.1:${this.smtpPort}`, '--listen', `127.0.0.1:${this.httpPort}`,
        '--smtp-auth-accept-any', '--smtp-auth-allow-insecure', '--disable-version-check', '--smtp-disable-rdns', '--quiet'],
      { stdio: 'ignore' },
    )
    this.proc.on('exit', () => (this.exited = true))
    await until(async () => {
      if (this.exited) throw new Error('mailpit exited')
      return (await fetch(this.api + '/messages?limit=1')).ok
    }, 'mailpit', 20000, 100)
  }

  async get(path) {
    const r = await fetch(this.api + path)
    if (!r.ok) throw new Error(`mailpit ${path}: ${r.status}`)
    return r.json()
  }

  /** messages lists every email, oldest first, each with Text, HTML and Headers ({name: [values]}). */
  async messages() {
    const list = await this.get('/messages?limit=1000')
    const out = []
    for (const m of list.messages.reverse()) {
      const full = await this.get('/message/' + m.ID)
      full.Headers = await this.get('/message/' + m.ID + '/headers')
      out.push(full)
    }
    return out
  }

  /** to lists the emails to one address, oldest first. */
  async to(address) {
    const all = await this.messages()
    return all.filter((m) => m.To.some((t) => t.Address.toLowerCase() === address.toLowerCase()))
  }

  /** waitFor polls until n emails reached address and returns them. */
  async waitFor(address, n = 1, timeout = 30000) {
    return until(async () => {
      const got = await this.to(address)
      return got.length >= n ? got : null
    }, `${n} email(s) to ${address}`, timeout, 200)
  }

  async stop() {
    if (this.proc && !this.exited) {
      this.proc.kill('SIGTERM')
      await until(() => this.exited, 'mailpit to stop', 5000).catch(() => this.proc.kill('SIGKILL'))
    }
  }
}

/**
 * sendMail delivers one message over plain SMTP (EHLO, MAIL, RCPT, DATA) the
 * way a visitor's mail server reaches Parley's reply listener. data is the
 * whole message (headers, a blank line, the body); lines are sent with CRLF
 * and dot-stuffed. It resolves with the server's answer to the message
 * ({ code, text }) and rejects with an Error carrying .code and .text when
 * the server refuses any step (a forged reply address, an oversized message).
 */
export function sendMail({ host = '127.0.0.1', port, from, to, data, timeout = 10000 }) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, host)
    sock.setTimeout(timeout, () => sock.destroy(new Error('SMTP timed out')))
    const body = data.replace(/\r?\n/g, '\r\n').split('\r\n').map((l) => (l.startsWith('.') ? '.' + l : l)).join('\r\n')
    const steps = [
      [null, 220],
      ['EHLO e2e.test', 250],
      [`MAIL FROM:<${from}>`, 250],
      [`RCPT TO:<${to}>`, 250],
      ['DATA', 354],
      [body + '\r\n.', 250],
      ['QUIT', 221],
    ]
    let buf = ''
    let i = 0
    let answer
    const next = () => {
      const [cmd] = steps[i]
      if (cmd !== null) sock.write(cmd + '\r\n')
    }
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8')
      // A reply is complete at a line "NNN text" (a hyphen after the code means more lines follow).
      for (;;) {
        const m = buf.match(/^(?:\d{3}-[^\r\n]*\r\n)*(\d{3})(?: ([^\r\n]*))?\r\n/)
        if (!m) return
        buf = buf.slice(m[0].length)
        const code = Number(m[1])
        const text = (m[2] || '').trim()
        const want = steps[i][1]
        if (code !== want) {
          const err = new Error(`SMTP ${steps[i][0] ?? 'greeting'} got ${code} ${text}`)
          err.code = code
          err.text = text
          sock.destroy()
          return reject(err)
        }
        if (i === 5) answer = { code, text }
        i++
        if (i === steps.length) {
          sock.end()
          return resolve(answer)
        }
        next()
      }
    })
    sock.on('error', reject)
    sock.on('connect', () => sock.setNoDelay(true))
  })
}
