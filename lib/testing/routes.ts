/**
 * Calls Next.js route handlers as Next does (a Request, params as a Promise),
 * for tests that pin what the HTTP boundary answers. The test file mocks
 * getCaller (`@/lib/auth/auth`) and points getDb at its test database.
 */
export type RouteHandler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

export async function callRoute(
  handler: RouteHandler,
  opts: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    body?: unknown;
    params?: Record<string, unknown>;
    bearer?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const url = new URL(`http://gov.test${opts.path ?? "/"}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.append(k, v);
  const headers = new Headers(opts.headers);
  if (opts.bearer) headers.set("authorization", `Bearer ${opts.bearer}`);
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers.set("content-type", opts.contentType ?? "application/json");
  }
  const response = await handler(new Request(url, { method: opts.method ?? (body === undefined ? "GET" : "POST"), headers, body }), {
    params: Promise.resolve(opts.params ?? {}),
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json, text, headers: response.headers };
}

/**
 * `@/db/client` with getDb/getDatabase pointed at the test database, for
 * `vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)))`.
 * The harness is imported when first called: it imports this module itself.
 */
export async function onTestDatabase(importOriginal: () => Promise<unknown>) {
  const original = (await importOriginal()) as typeof import("@/db/client");
  const database = async () => (await import("@/lib/testing/harness")).testDatabase();
  return { ...original, getDatabase: database, getDb: async () => (await database()).db };
}
