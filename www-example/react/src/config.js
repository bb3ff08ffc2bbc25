// The createClient config for the local emulator, as `cargo xtask emulator --app
// http://127.0.0.1:5173/` prints it. Against another Tangoe (or an emulator on another port),
// set VITE_TANGOE_ORIGIN (and VITE_MOBPROC_CLIENT_ID, VITE_MOBPROC_TENANT) when running Vite,
// e.g. in .env.local. The redirect URI is this page's own origin plus "/": register exactly that.
const env = import.meta.env;
const tangoe = env.VITE_TANGOE_ORIGIN || "http://127.0.0.1:8081";

/** @type {import("mobproc-auth").MobprocConfig} */
export const config = {
  clientId: env.VITE_MOBPROC_CLIENT_ID || "portal-demo",
  tenant: env.VITE_MOBPROC_TENANT || "XYZ",
  apiBaseUrl: `${tangoe}/mobproc/v1`,
  authorizeUrl: `${tangoe}/as/authorization.oauth2`,
  redirectUri: `${window.location.origin}/`,
  tokenUrl: `${tangoe}/as/token.oauth2`,
  revokeUrl: `${tangoe}/as/revoke_token.oauth2`,
};
