// npm run build: clear the gateway's dist dir (keeping .gitkeep and
// .gitignore), then build the panel and the loader into it.
import { build } from 'vite'
import { readdirSync, rmSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('..', import.meta.url))
const dist = join(here, '../../services/gateway/internal/widgetweb/dist')
if (existsSync(dist)) {
  for (const f of readdirSync(dist)) if (f !== '.gitkeep' && f !== '.gitignore') rmSync(join(dist, f), { recursive: true, force: true })
}
await build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' })
await build({ configFile: join(here, 'vite.loader.config.ts'), logLevel: 'warn' })

const loader = readFileSync(join(dist, 'loader.js'), 'utf8')
const n = loader.split('__PARLEY_CONFIG__').length - 1
if (n !== 1) throw new Error(`loader.js must reference __PARLEY_CONFIG__ exactly once, found ${n}`)
if (/\b__parleyLoader\b/.test(loader)) throw new Error('loader.js must not define a global besides window.Parley')
const html = readFileSync(join(dist, 'frame.html'), 'utf8')
if (!html.includes('<!--parley-config-->')) throw new Error('frame.html lost its <!--parley-config--> marker')
console.log('widget built into', dist)
