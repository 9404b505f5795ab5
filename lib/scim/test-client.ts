import type { Db } from "@/db/client";
import type { Role } from "@/db/schema";
import { authenticateToken, issueToken } from "@/lib/auth/tokens";
import { makeCaller, uniq } from "@/lib/testing/harness";
import { serveScim, type ScimResponse } from "./handler";

export const BASE_URL = "https://gov.test/scim/v2";

export type ScimCall = (method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }) => Promise<ScimResponse & { json: any }>;

/** Calls the protocol as an identity provider would: a path with its query, a bearer token, a JSON body. */
export function scimCaller(db: Db, bearer: string | null): ScimCall {
  return async (method, path, opts = {}) => {
    const url = new URL(path, BASE_URL + "/");
    const headers = new Headers(opts.headers);
    if (bearer !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${bearer}`);
    const response = await serveScim(db, {
      method,
      segments: url.pathname
        .replace(/^\/scim\/v2\/?/, "")
        .split("/")
        .filter(Boolean),
      searchParams: url.searchParams,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
      baseUrl: BASE_URL,
    });
    return { ...response, json: response.body };
  };
}

/** An admin, a SCIM token they issued (as on Admin → API tokens), and a caller presenting it. */
export async function scimClient(db: Db, scopes: ("scim" | "usage:write")[] = ["scim"], roles: Role[] = ["admin"]) {
  const admin = await makeCaller(db, roles);
  const name = uniq("okta");
  const issued = await issueToken(db, admin, { name, scopes });
  const token = (await authenticateToken(db, issued.token))!;
  return { admin, tokenName: name, bearer: issued.token, token, call: scimCaller(db, issued.token) };
}

export const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [{ value: userName, type: "work", primary: true }],
  active: true,
  ...extra,
});

export const groupBody = (displayName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  displayName,
  ...extra,
});

export const patchBody = (...ops: Record<string, unknown>[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: ops });

export const q = (filter: string, extra = "") => `/Users?filter=${encodeURIComponent(filter)}${extra}`;
