import { readFile } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as logRoute from "@/app/api/v1/imports/pg-log/route";
import * as rolesRoute from "@/app/api/v1/imports/pg-roles/route";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, testDb, uniq } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

const TARGET = process.env.CONNECTOR_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
let reachable = false;
beforeAll(async () => {
  const probe = postgres(TARGET, { max: 1, connect_timeout: 3, onnotice: () => {} });
  reachable = await probe`select 1`.then(
    () => true,
    () => false,
  );
  await probe.end({ timeout: 1 });
});
afterEach(() => vi.unstubAllEnvs());

const postRoles = (body: unknown) => callRoute(rolesRoute.POST, { path: "/api/v1/imports/pg-roles", body });
const postLog = (system: string, body: string) =>
  callRoute(logRoute.POST, { path: "/api/v1/imports/pg-log", query: { system }, body, contentType: "text/csv" });

describe("POST /api/v1/imports/pg-roles and pg-log", () => {
  it("refuses anyone but an admin, a URL in the request, an unset variable and bad bodies, changing nothing", async () => {
    const db = await testDb();
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["auditor"]));
    expect((await postRoles({ system: "x", urlEnv: "X" })).status).toBe(403);
    expect((await postLog("x", "a,b")).status).toBe(403);
    // Refused before a body of any size is read.
    expect((await postRoles({ system: "x", urlEnv: "X", padding: "x".repeat(200_000) })).status).toBe(403);
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    expect((await postRoles({ system: "x", url: TARGET })).status).toBe(422);
    expect((await postRoles({ system: "x", urlEnv: "X", padding: "x".repeat(200_000) })).status).toBe(413);
    expect((await postRoles({ system: "x", urlEnv: "lower-case" })).json.error.fieldErrors).toHaveProperty("urlEnv");
    expect((await postRoles({ system: "x", urlEnv: "GOV_TEST_UNSET_PG_URL" })).json.error.fieldErrors.urlEnv).toEqual([
      "GOV_TEST_UNSET_PG_URL is not set on the server.",
    ]);
    expect((await postLog(uniq("nowhere"), "x")).json.error.fieldErrors.system).toEqual([expect.stringMatching(/import its roles first/)]);
    expect((await postLog("x", "")).status).toBe(422);
  });

  it("imports a server's roles from the server a variable names, then its log lines, for an admin", async (ctx) => {
    if (!reachable) return ctx.skip();
    const db = await testDb();
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    vi.stubEnv("GOV_TEST_PG_URL", TARGET);
    const system = uniq("pgapi");
    const res = await postRoles({ system, urlEnv: "GOV_TEST_PG_URL" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ system, systemCreated: true });
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    // The fixture's application role, played by the server's own login role.
    const csv = (await readFile(path.join(import.meta.dirname, "fixtures", "postgresql.csv"), "utf8"))
      .replaceAll("APP_ROLE", "postgres")
      .replaceAll("2026-11-20", day);
    const usage = await postLog(system, csv);
    expect(usage.status).toBe(200);
    // Two statements and one the server refused (a denied attempt); its login, statements and refusal are session evidence.
    expect(usage.json.usage).toEqual({ inserted: 3, duplicates: 0, denied: 1 });
    expect(usage.json.sessionEvents).toEqual({ inserted: 4, duplicates: 0 });
    expect((await postLog(system, '"unterminated')).status).toBe(422);
  });
});
