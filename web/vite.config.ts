/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import {defineConfig} from 'vite';

// `vite build` writes into the Python package, which serves it at `/` (src/kafana/api/webapp.py).
export default defineConfig({
    plugins: [react()],
    base: '/',
    build: {
        outDir: '../src/kafana/web_dist',
        emptyOutDir: true,
        assetsDir: 'assets',
        chunkSizeWarningLimit: 800,
    },
    worker: {format: 'es'},
    server: {proxy: {'/api': {target: 'http://127.0.0.1:8065', ws: true}}},
    test: {environment: 'jsdom', include: ['src/**/*.test.{ts,tsx}']},
});
