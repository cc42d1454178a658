import { defineConfig } from 'vite';

/**
 * `base: './'`: every asset URL is relative, so the panel works under the ingress prefix
 * `/api/hassio_ingress/<token>/` that is unknown at build time (homeassistant-addon.md §5).
 * JSX goes through esbuild with Preact's automatic runtime (tsconfig jsxImportSource), no Babel preset needed.
 */
export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: 'terser',
    terserOptions: { module: true, compress: { passes: 2 }, format: { comments: false } },
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  css: { modules: { localsConvention: 'camelCaseOnly' } },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8098',
      '/ws': { target: 'ws://127.0.0.1:8098', ws: true },
    },
  },
});
