// Compiled (not run) with `tsc -p tests/types` against the built package's index.d.ts, under
// `strict`, `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess` (the strictest settings
// an app may use): the way a TypeScript front-end uses the library must type-check, and misuse
// must not. Each `@ts-expect-error` line fails the compile when the types become too loose.
import {
  createClient,
  MobprocError,
  type MobprocClient,
  type MobprocEvents,
  type MobprocStart,
  type LoginOptions,
  type MobprocConfig,
  type MobprocContext,
  type MobprocErrorCode,
  type MobprocSession,
  type MobprocValidation,
  type PaginateOptions,
  type PopupOptions,
  type HandlerEvent,
} from "mobproc-auth";

// An `as const` list (readonly): allowedOrigins only reads it.
const ORIGINS = ["https://reports.example.com", "https://files.example.com"] as const;
// Optional settings read from an environment arrive as `string | undefined`; the runtime takes
// `undefined` as "not set", and so do the types (exactOptionalPropertyTypes).
declare const env: Record<string, string | undefined>;
const tokenUrl: string | undefined = env["MOBPROC_TOKEN_URL"];
const revokeUrl = env["MOBPROC_REVOKE_URL"];

const config: MobprocConfig = {
  clientId: "0123abc456def78ghij11bc213wxyz",
  tenant: "XYZ",
  authorizeUrl: "https://oauth.tangoe.com/as/authorization.oauth2",
  redirectUri: "https://portal.example.com/callback",
  apiBaseUrl: "https://tngo-mobproc.cloudhub.io/mobproc/v1",
  allowedOrigins: ORIGINS,
  tokenUrl,
  revokeUrl,
  validateUrl: undefined,
  refreshSkewSeconds: 60,
  clientAuth: "basic",
  responseType: "token",
  shareSessionAcrossTabs: true,
};

// The authorization code grant with PKCE; a readonly string[] (not a tuple) for the origins.
const readonlyOrigins: readonly string[] = ORIGINS;
const codeConfig: MobprocConfig = { ...config, responseType: "code", allowedOrigins: readonlyOrigins, shareSessionAcrossTabs: false };

/** A MOBPROC answer's shape, as an app declares it. */
interface Me {
  actor: { employeeId: string; companyEmployeeId?: string | undefined };
}

export async function main(): Promise<void> {
  const client = await createClient(config);
  await createClient(codeConfig);
  const back: { returnTo: string | null } | null = await client.handleRedirectCallback();
  if (back?.returnTo) history.replaceState(null, "", back.returnTo);
  const returnTo: string | undefined = back?.returnTo ?? undefined;
  const loginOptions: LoginOptions = { returnTo };
  if (!client.isAuthenticated()) client.login({ returnTo: "/orders" });
  client.login(loginOptions);
  const url: string = client.authorizeUrl(loginOptions);
  // Bound methods as handlers: a DOM listener, and a React-style onClick (its event has a `type`).
  document.createElement("button").addEventListener("click", client.loginPopup);
  const onClick = (handler: (event: { type: string; nativeEvent: Event }) => void) => handler;
  onClick(client.login);
  onClick(client.logout);
  // @ts-expect-error: a misspelt option is not taken for an event
  client.login({ returnto: "/orders" });

  // Sign-in in a popup: resolves with the session; the new error codes tell why it did not.
  const timeoutMs: number | undefined = env["POPUP_TIMEOUT"] ? Number(env["POPUP_TIMEOUT"]) : undefined;
  const popupOptions: PopupOptions = { returnTo, timeoutMs };
  try {
    const signedIn: MobprocSession = await client.loginPopup(popupOptions);
    console.log(signedIn.expiresAt, signedIn.hasRefreshToken);
    await client.loginPopup();
  } catch (e) {
    if (e instanceof MobprocError) {
      if (e.code === "popup_blocked") console.log("allow popups, or use login()");
      else if (e.code === "popup_closed" || e.code === "timeout") console.log("sign-in not finished", e.message);
    }
  }
  const codes: MobprocErrorCode[] = ["popup_blocked", "popup_closed", "timeout", "wasm_load_failed"];

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
  const hierarchyId: string | undefined = env["HIERARCHY"];
  const context: MobprocContext = { employeeId: undefined, hierarchyId };
  client.setContext(context);
  client.setActivityId("batch-7");
  const asJane: Response = await client.fetch("/me", { context: { companyEmployeeId: "jane@xyz.example", employeeId: null } });
  await client.fetch("/me", { context: undefined });
  const correlation: string | null = client.correlationId(asJane);

  // fetchJson resolves null for an empty body (204): the type makes the caller check.
  const me = await client.fetchJson<Me>("/me");
  // @ts-expect-error: `me` may be null (an empty body), so it must be checked first
  console.log(me.actor.employeeId);
  const actor: string = me === null ? "nobody" : me.actor.employeeId;
  const maybeActor: string | undefined = me?.actor.employeeId;
  const untyped: unknown = await client.fetchJson("/orders", { json: { items: [] } });

  const limit: number | undefined = env["PAGE_SIZE"] ? Number(env["PAGE_SIZE"]) : undefined;
  const paging: PaginateOptions = { limit, offset: undefined, maxPages: 50 };
  for await (const page of client.paginate<{ employees: { employeeId: string }[] }>("/employees", paging)) {
    console.log(page.employees.length, page._meta?.hrefNext);
    const first = page.employees[0];
    // @ts-expect-error: noUncheckedIndexedAccess: an element may be missing
    console.log(first.employeeId);
    console.log(first?.employeeId);
  }
  try {
    await client.fetchJson("/regions");
  } catch (e) {
    if (e instanceof MobprocError && e.code === "api_error") console.log(e.status, e.errorCode, e.id, e.apiMessage, e.correlationId, e.retryAfter);
  }
  client.setContext(null);
  client.logout();
  console.log(url, response.status, session, token, fresh, multi, correlation, actor, maybeActor, untyped, codes);

  // @ts-expect-error: context fields are a closed set
  client.setContext({ employee: "E1" });
  // @ts-expect-error: clientId is required
  await createClient({ tenant: "XYZ", apiBaseUrl: "https://a.example" });
  // @ts-expect-error: unknown event names do not type-check
  client.on("sessionExploded", () => {});
  // @ts-expect-error: codes are a closed union
  const code: MobprocError["code"] = "no_such_code";
  console.log(code);
  // @ts-expect-error: responseType is "token" or "code"
  await createClient({ ...config, responseType: "id_token" });
  // @ts-expect-error: shareSessionAcrossTabs is a boolean
  await createClient({ ...config, shareSessionAcrossTabs: "yes" });
  // @ts-expect-error: the popup's timeout is a number of milliseconds
  await client.loginPopup({ timeoutMs: "5m" });
  // @ts-expect-error: loginPopup resolves a session, never null
  const none: null = await client.loginPopup();
  console.log(none);
  // @ts-expect-error: allowedOrigins holds strings
  await createClient({ ...config, allowedOrigins: [new URL("https://a.example")] });
  // @ts-expect-error: the config keeps the list read-only
  config.allowedOrigins?.push("https://b.example");
}

// Exact shapes: each line fails the compile when a documented type changes (a field made
// mutable, a `null` dropped or added, a code added or removed), not only when misuse compiles.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type Resolves<K extends keyof MobprocClient> = MobprocClient[K] extends (...args: never[]) => Promise<infer R> ? R : never;
export type ExactShapes = [
  Expect<Equal<MobprocSession, { readonly expiresAt: number; readonly scope: string | null; readonly hasRefreshToken: boolean }>>,
  Expect<Equal<Resolves<"refresh">, MobprocSession | null>>,
  Expect<Equal<Resolves<"signInWithPassword">, MobprocSession | null>>,
  Expect<Equal<Resolves<"loginPopup">, MobprocSession>>,
  Expect<Equal<Resolves<"handleRedirectCallback">, { returnTo: string | null } | null>>,
  Expect<Equal<Resolves<"validate">, MobprocValidation>>,
  Expect<Equal<ReturnType<MobprocClient["session"]>, MobprocSession | null>>,
  Expect<Equal<ReturnType<MobprocClient["accessToken"]>, string | null>>,
  Expect<Equal<ReturnType<MobprocClient["correlationId"]>, string | null>>,
  Expect<Equal<ReturnType<MobprocClient["subscribe"]>, () => void>>,
  Expect<Equal<ReturnType<MobprocClient["on"]>, () => void>>,
  Expect<Equal<MobprocStart["client"], MobprocClient | null>>,
  Expect<Equal<MobprocStart["returnTo"], string | null>>,
  Expect<Equal<MobprocEvents["sessionExpired"], null>>,
  Expect<Equal<MobprocEvents["sessionChanged"], MobprocSession | null>>,
  Expect<Equal<MobprocEvents["sessionExpiring"], { expiresAt: number }>>,
  Expect<Equal<MobprocValidation["expiresIn"], number | null>>,
  Expect<Equal<MobprocValidation["scope"], string | null>>,
  Expect<Equal<MobprocError["status"], number | undefined>>,
  Expect<Equal<MobprocError["retryAfter"], number | undefined>>,
  Expect<Equal<MobprocError["correlationId"], string | undefined>>,
  Expect<Equal<MobprocError["field"], string | undefined>>,
  Expect<Equal<Parameters<MobprocClient["login"]>, [options?: LoginOptions | HandlerEvent]>>,
  // Every code, and no other: a new one is a change of the contract.
  Expect<
    Equal<
      MobprocErrorCode,
      | "config_invalid" | "state_mismatch" | "authorization_denied" | "invalid_callback" | "invalid_token_response"
      | "not_authenticated" | "origin_not_allowed" | "refresh_failed" | "session_expired" | "token_invalid"
      | "insecure_grant" | "revoke_failed" | "storage_unavailable" | "listener_failed" | "invalid_request" | "api_error"
      | "pagination_loop" | "network_error" | "unsupported" | "wasm_load_failed" | "popup_blocked" | "popup_closed" | "timeout"
    >
  >,
];
