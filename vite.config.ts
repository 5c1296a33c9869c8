// The config page (src/web/page): a Svelte 5 app built by Vite into dist/page/, which the engine serves at /.
// Built by scripts/setup when its sources change; `npx vite build` builds it by hand.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./src/web/page'),
  base: '/',
  plugins: [svelte({ configFile: false })],
  resolve: {
    // The page imports the engine's encoder schema (one schema for the API and the form). Its file-name
    // helpers import node:path for functions the page never calls; this shim keeps them out of the bundle.
    alias: { 'node:path': here('./src/web/page/shims/node-path.ts') },
  },
  build: {
    outDir: here('./dist/page'),
    emptyOutDir: true,
    target: 'es2022',
    // Small enough to read a stack trace from the box without source maps on it.
    sourcemap: false,
    reportCompressedSize: false,
  },
});
