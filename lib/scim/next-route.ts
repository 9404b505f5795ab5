import { getDb } from "@/db/client";
import { publicOrigin } from "@/lib/http/origin";
import { serveScim } from "./handler";

type Context = { params: Promise<{ path?: string[] }> };

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
      baseUrl: `${publicOrigin(request.headers, request.url)}/scim/v2`,
    });
    return new Response(response.body === null ? null : JSON.stringify(response.body), { status: response.status, headers: response.headers });
  };
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle };
}
