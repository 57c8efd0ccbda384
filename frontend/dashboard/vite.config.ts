import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The build goes straight into the gateway package that embeds it
// (services/gateway/internal/dashboardweb/dist); scripts/clean-dist.mjs empties
// it first but keeps .gitkeep, so emptyOutDir stays off.
const outDir = fileURLToPath(new URL('../../services/gateway/internal/dashboardweb/dist', import.meta.url));

export default defineConfig({
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    // One bundle: no dynamic <link rel=modulepreload> injection, which a
    // nonce + 'strict-dynamic' CSP would block.
    modulePreload: false,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        preview: fileURLToPath(new URL('./preview.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: process.env.PARLEY_DEV_API ?? 'http://127.0.0.1:8080', ws: true },
      '/widget': { target: process.env.PARLEY_DEV_API ?? 'http://127.0.0.1:8080' },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
