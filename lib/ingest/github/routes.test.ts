import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as auditRoute from "@/app/api/v1/imports/github-audit/route";
import * as orgRoute from "@/app/api/v1/imports/github/route";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, testDb, uniq } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";
import { readGitHubExportDir } from "./org";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

const postOrg = (body: unknown) => callRoute(orgRoute.POST, { path: "/api/v1/imports/github", body });
const postAudit = (org: string, body: string) =>
  callRoute(auditRoute.POST, { path: "/api/v1/imports/github-audit", query: { org }, body, contentType: "application/x-ndjson" });

describe("POST /api/v1/imports/github and github-audit", () => {
  it("imports an organisation and then its audit log for an admin; refuses others and bad bodies", async () => {
    const db = await testDb();
    const org = uniq("api").replace(/[^A-Za-z0-9-]/g, "-");
    const exported = { ...(await readGitHubExportDir(path.join(import.meta.dirname, "fixtures", "acme"))), org: { login: org } };
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["auditor"]));
    expect((await postOrg(exported)).status).toBe(403);
    expect((await postAudit(org, "{}")).status).toBe(403);

    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    expect((await postOrg({ ...exported, repos: "none" })).json.error.fieldErrors).toHaveProperty("repos");
    expect((await postAudit(org, "{}")).json.error.fieldErrors.org).toEqual([expect.stringMatching(/import its members/)]);
    const res = await postOrg(exported);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ org, systemCreated: true, accounts: { created: 5 } });
    const line = JSON.stringify({
      "@timestamp": Date.now() - 60_000,
      _document_id: `${org}-1`,
      action: "git.push",
      actor: "bob-acme",
      org,
      repo: `${org}/api`,
    });
    const usage = await postAudit(org, line);
    expect(usage.status).toBe(200);
    expect(usage.json.usage).toEqual({ inserted: 1, duplicates: 0, denied: 0 });
    expect((await postAudit(org, " \n")).status).toBe(422);
  });
});
