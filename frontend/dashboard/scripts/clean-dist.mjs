// Empties the gateway's embedded dist directory before a build, keeping the
// committed placeholder (.gitkeep) so `go build` works on a fresh clone.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dist = fileURLToPath(new URL('../../../services/gateway/internal/dashboardweb/dist', import.meta.url));
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name === '.gitkeep') continue;
  rmSync(join(dist, name), { recursive: true, force: true });
}
