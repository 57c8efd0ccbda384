// The panel: frame.html and its hashed assets, straight into the gateway's
// embedded dist directory. The gateway serves /widget/assets/* and fills
// frame.html's <!--parley-config--> per tenant.
import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'

export const outDir = fileURLToPath(new URL('../../services/gateway/internal/widgetweb/dist', import.meta.url))

export default defineConfig({
  base: '/widget/',
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: false, // scripts/build.mjs clears it but keeps .gitkeep and .gitignore
    assetsDir: 'assets',
    target: 'es2020',
    modulePreload: false,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: { frame: fileURLToPath(new URL('frame.html', import.meta.url)) },
    },
  },
})
