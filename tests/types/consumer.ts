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
  client.on("sessionExpiring", ({ expiresAt }: { expiresAt: number }) => console.log(expiresAt));
  off();
  const fresh: MobprocSession | null = await client.refresh();
  const validation: MobprocValidation = await client.validate();
  const multi: boolean = validation.multitenant;
  try {
    await client.fetch(new URL("https://elsewhere.example/"));
  } catch (e) {
    if (e instanceof MobprocError && e.code === "origin_not_allowed") console.log(e.origin, e.message);
  }
  client.setContext({ employeeId: "E1005", hierarchyId: null });
  client.setActivityId("batch-7");
  const asJane: Response = await client.fetch("/me", { context: { companyEmployeeId: "jane@xyz.example", employeeId: null } });
  const correlation: string | null = client.correlationId(asJane);
  const me = await client.fetchJson<{ actor: { employeeId: string } }>("/me");
  const actor: string = me.actor.employeeId;
  await client.fetchJson("/orders", { json: { items: [] } });
  for await (const page of client.paginate<{ employees: { employeeId: string }[] }>("/employees", { limit: 25 })) {
    console.log(page.employees.length, page._meta?.hrefNext);
  }
  try {
    await client.fetchJson("/regions");
  } catch (e) {
    if (e instanceof MobprocError && e.code === "api_error") console.log(e.status, e.errorCode, e.id, e.apiMessage, e.correlationId, e.retryAfter);
  }
  client.setContext(null);
  client.logout();
  console.log(url, response.status, session, token, fresh, multi, correlation, actor);
  // @ts-expect-error: context fields are a closed set
  client.setContext({ employee: "E1" });

  // @ts-expect-error: clientId is required
  await createClient({ tenant: "XYZ", apiBaseUrl: "https://a.example" });
  // @ts-expect-error: unknown event names do not type-check
  client.on("sessionExploded", () => {});
  // @ts-expect-error: codes are a closed union
  const code: MobprocError["code"] = "no_such_code";
  console.log(code);
}
