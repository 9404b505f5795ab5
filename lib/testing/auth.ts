import { eq } from "drizzle-orm";
import { decode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import type { Database, Db } from "@/db/client";
import { identities, roleAssignments } from "@/db/schema";
import { personas } from "@/db/seed/personas";
import { PEER_ADDRESS_HEADER } from "@/lib/http/peer";
import { testDatabase } from "./harness";
import type { SessionClaims } from "@/lib/auth/sessions";

export const APP_URL = "http://localhost:3000";
export const TEST_AUTH_SECRET = "test-only-secret-not-for-production-0000000";
const SESSION_COOKIE = "authjs.session-token";

/**
 * Route handlers and next-auth reach the database through getDb(): point it
 * at this file's test database, and configure sign-in as a demo instance.
 */
export async function appDatabase(): Promise<Db> {
  process.env.AUTH_SECRET = TEST_AUTH_SECRET;
  process.env.DEMO = "1";
  const database = testDatabase();
  (globalThis as unknown as { __govDb?: Promise<Database> }).__govDb = database;
  return (await database).db;
}

/** The demo persona's person, created when this database lacks it (PGlite files start empty). */
export async function personaPerson(db: Db, key: (typeof personas)[number]["key"]) {
  const persona = personas.find((p) => p.key === key)!;
  const [found] = await db.select().from(identities).where(eq(identities.email, persona.email));
  if (found) return found;
  const [created] = await db.insert(identities).values({ kind: "human", name: persona.email, displayName: persona.name, email: persona.email }).returning();
  await db.insert(roleAssignments).values(persona.roles.map((role) => ({ identityId: created.id, role })));
  return created;
}

/** A browser talking to next-auth's routes: a cookie jar, from one source address. */
export function authBrowser(source = "192.0.2.10") {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

  async function call(method: "GET" | "POST", path: string, form?: Record<string, string>, extra: Record<string, string> = {}) {
    const { authRouteHandlers } = await import("@/lib/http/sign-in");
    const headers: Record<string, string> = { [PEER_ADDRESS_HEADER]: source, ...extra };
    if (jar.size) headers.cookie = cookieHeader();
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const request = new NextRequest(`${APP_URL}${path}`, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined });
    const response = await authRouteHandlers[method](request);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split("=")[1]).getTime() < Date.now()));
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  const csrf = async () => ((await (await call("GET", "/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;

  return {
    jar,
    call,
    /** POST /api/auth/callback/demo, as the README documents for scripts. */
    async signInAs(persona: string, callbackUrl = "/") {
      return call("POST", "/api/auth/callback/demo", { csrfToken: await csrf(), persona, callbackUrl });
    },
    async signOut() {
      return call("POST", "/api/auth/signout", { csrfToken: await csrf(), callbackUrl: "/signin" });
    },
    /** What the session cookie says (as getCaller reads it), or null without one. */
    async claims(cookie = jar.get(SESSION_COOKIE)): Promise<SessionClaims> {
      if (!cookie) return null;
      const token = await decode({ token: cookie, secret: TEST_AUTH_SECRET, salt: SESSION_COOKIE });
      return token ? { sessionId: token.sessionId, claimRoles: token.claimRoles } : null;
    },
    sessionCookie: () => jar.get(SESSION_COOKIE),
  };
}
