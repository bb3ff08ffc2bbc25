// Compiled (not run) with `tsc --noEmit --strict` against the built package's index.d.ts: the
// way a TypeScript front-end uses the library must type-check, and misuse must not.
import { createClient, MobprocError, type MobprocConfig, type MobprocSession, type MobprocValidation } from "mobproc-auth";

const config: MobprocConfig = {
  clientId: "0123abc456def78ghij11bc213wxyz",
  tenant: "XYZ",
  authorizeUrl: "https://oauth.tangoe.com/as/authorization.oauth2",
  redirectUri: "https://portal.example.com/callback",
  apiBaseUrl: "https://tngo-mobproc.cloudhub.io/mobproc/v1",
  tokenUrl: "https://oauth.tangoe.com/as/token.oauth2",
  refreshSkewSeconds: 60,
  clientAuth: "basic",
};

export async function main(): Promise<void> {
  const client = await createClient(config);
  const back: { returnTo: string | null } | null = await client.handleRedirectCallback();
  if (back?.returnTo) history.replaceState(null, "", back.returnTo);
  if (!client.isAuthenticated()) client.login({ returnTo: "/orders" });
  const url: string = client.authorizeUrl();
  const response: Response = await client.fetch("/ping?echoText=hello", { method: "GET" });
  const session: MobprocSession | null = client.session();
  const token: string | null = client.accessToken();
  const off: () => void = client.on("sessionChanged", (s: MobprocSession | null) => console.log(s?.expiresAt));
  client.on("error", (e: MobprocError) => console.log(e.code));
  off();
  const fresh: MobprocSession | null = await client.refresh();
  const validation: MobprocValidation = await client.validate();
  const multi: boolean = validation.multitenant;
  try {
    await client.fetch(new URL("https://elsewhere.example/"));
  } catch (e) {
    if (e instanceof MobprocError && e.code === "origin_not_allowed") console.log(e.origin, e.message);
  }
  client.logout();
  console.log(url, response.status, session, token, fresh, multi);

  // @ts-expect-error: clientId is required
  await createClient({ tenant: "XYZ", apiBaseUrl: "https://a.example" });
  // @ts-expect-error: unknown event names do not type-check
  client.on("sessionExploded", () => {});
  // @ts-expect-error: codes are a closed union
  const code: MobprocError["code"] = "no_such_code";
  console.log(code);
}
