// What both front ends' browser tests share: polling, and a private Parley
// process (its own data dir and port) built from this checkout. Only Node's
// built-ins here: each front end brings its own playwright-core.
//
// Env:
//   PARLEY_E2E_BIN     use this parley binary instead of building one
//   CHROMIUM_PATH      Chromium to drive (default /usr/bin/chromium)
//   PARLEY_E2E_KEEP=1  keep the temp dir (server log, data) after the run
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
   * publicHost names Parley for the browser (PARLEY_PUBLIC_URL, publicBase), e.g.
   * parley.test mapped to loopback by Chromium's --host-resolver-rules; Node still uses base.
   */
  async start(name, { publicHost } = {}) {
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
    this.proc = spawn(bin, [], {
      env: { ...process.env, PARLEY_DATA_DIR: join(this.tmp, 'data'), PARLEY_HTTP_ADDR: `127.0.0.1:${this.port}`, PARLEY_PUBLIC_URL: this.publicBase, PARLEY_BOT_ALLOW_PRIVATE_NETWORKS: 'true' },
      stdio: ['ignore', log, log],
    })
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
    if (process.env.PARLEY_E2E_KEEP) console.log('# kept ' + this.tmp)
    else if (this.tmp) rmSync(this.tmp, { recursive: true, force: true })
  }
}
