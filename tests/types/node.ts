// Compiled (not run) with `tsc -p tests/types/tsconfig.node.json`: a Node-only TypeScript
// project, `lib: ["es2022"]` and `types: ["node"]`, no DOM lib. Its fetch types (Request,
// Response, RequestInit, URL) come from @types/node; index.d.ts must name no type that only
// the DOM lib declares (RequestInfo, Storage, Window, …), or such a project fails to compile.
import { createClient, MobprocError, type MobprocSession } from "mobproc-auth";

export async function main(): Promise<void> {
  const client = await createClient({
    clientId: "0123abc456def78ghij11bc213wxyz",
    tenant: "XYZ",
    apiBaseUrl: "https://tngo-mobproc.cloudhub.io/mobproc/v1",
    tokenUrl: "https://oauth.tangoe.com/as/token.oauth2",
    clientSecret: process.env["MOBPROC_CLIENT_SECRET"],
  });
  const session: MobprocSession | null = await client.signInWithPassword({ username: "demo", password: "demo" });
  // Each input fetch takes: a string, a URL, a Request.
  const byString: Response = await client.fetch("/ping?echoText=hi", { method: "GET", context: { employeeId: "E1005" } });
  const byUrl: Response = await client.fetch(new URL("https://tngo-mobproc.cloudhub.io/mobproc/v1/me"));
  const byRequest: Response = await client.fetch(new Request("https://tngo-mobproc.cloudhub.io/mobproc/v1/me"));
  const me: unknown = await client.fetchJson(new Request("https://tngo-mobproc.cloudhub.io/mobproc/v1/me"), { json: { a: 1 } });
  const fetcher: { fetch: typeof client.fetch } = { fetch: client.fetch };
  try {
    await client.fetchJson<{ ok: boolean }>(new URL("https://elsewhere.example/"));
  } catch (e) {
    if (e instanceof MobprocError && e.code === "origin_not_allowed") console.log(e.origin);
  }
  // @ts-expect-error: a number is no fetch input
  await client.fetch(42);
  console.log(session, byString.status, byUrl.ok, byRequest.headers.get("x"), me, fetcher);
}
