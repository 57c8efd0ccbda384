// The loader: one self-contained IIFE that defines no global but
// window.Parley. The gateway replaces __PARLEY_CONFIG__ with the tenant's
// settings and serves it as /widget/<key>.js.
import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'
import { outDir } from './vite.config.ts'

export default defineConfig({
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: fileURLToPath(new URL('src/loader/main.ts', import.meta.url)),
      formats: ['iife'],
      name: '__parleyLoader',
      fileName: () => 'loader.js',
    },
  },
})
