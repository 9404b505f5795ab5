import { getDb } from "@/db/client";
import { serveScim } from "./handler";

type Context = { params: Promise<{ path?: string[] }> };

/** The public origin of the request, as the identity provider reached it (behind a proxy too). */
function originOf(request: Request): string {
  const url = new URL(request.url);
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0].trim() || url.protocol.replace(/:$/, "");
  const host = request.headers.get("x-forwarded-host")?.split(",")[0].trim() || request.headers.get("host") || url.host;
  return `${proto}://${host}`;
}

/** Route handlers for app/scim/v2/[[...path]]: the HTTP edge of serveScim, nothing more. */
export function scimRouteHandlers() {
  const handle = async (request: Request, context: Context) => {
    const { path = [] } = await context.params;
    const body = request.method === "GET" || request.method === "DELETE" ? undefined : await request.text();
    const response = await serveScim(await getDb(), {
      method: request.method,
      segments: path,
      searchParams: new URL(request.url).searchParams,
      headers: request.headers,
      body,
      baseUrl: `${originOf(request)}/scim/v2`,
    });
    return new Response(response.body === null ? null : JSON.stringify(response.body), { status: response.status, headers: response.headers });
  };
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle };
}
