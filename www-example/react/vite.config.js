import { defineConfig } from "vite";

export default defineConfig({
  // The sign-in returns to the exact origin registered with Tangoe (or the emulator):
  // 127.0.0.1, not localhost, and a fixed port.
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
  // JSX without a plugin: esbuild's automatic runtime (react/jsx-runtime).
  esbuild: { jsx: "automatic" },
  // The package loads its .wasm next to its own module (new URL(…, import.meta.url)); Vite's
  // dependency pre-bundling would move the module away from it in `vite dev`.
  optimizeDeps: { exclude: ["mobproc-auth"] },
});
