import { readFile, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entitlements, findings, grants, identities, systems } from "@/db/schema";
import type { Db } from "@/db/client";
import { ValidationError } from "@/lib/errors";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { runReconciliation } from "@/lib/reconciliation/run";
import { testDb, uniq } from "@/lib/testing/harness";
import { importGitHubAudit } from "./audit-import";
import { readGitHubExportDir } from "./org";
import { importGitHub } from "./org-import";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

/** The fixture organisation under a name of its own (each test's organisation is new). */
async function organisation(db: Db) {
  const org = uniq("acme").replace(/[^A-Za-z0-9-]/g, "-");
  const exported = await readGitHubExportDir(path.join(FIXTURES, "acme"));
  exported.org = { login: org };
  const summary = await importGitHub(db, { export: exported });
  const account = async (login: string) =>
    (
      await db
        .select()
        .from(identities)
        .where(and(eq(identities.systemId, summary.systemId), eq(identities.externalId, login)))
    )[0];
  const held = async (login: string) =>
    (
      await db
        .select({ ref: entitlements.externalRef, level: entitlements.privilegeLevel })
        .from(grants)
        .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
        .where(and(eq(grants.identityId, (await account(login)).id), isNull(grants.revokedAt)))
        .orderBy(entitlements.externalRef)
    ).map((g) => `${g.ref} ${g.level}`);
  return { org, exported, summary, account, held };
}

describe("importing a GitHub organisation", () => {
  it("makes accounts identities and each role held, directly or through a team, a grant", async () => {
    const db = await testDb();
    const { summary, account, held } = await organisation(db);
    expect(summary).toMatchObject({ systemCreated: true, accounts: { created: 5 }, warnings: [] });
    expect((await account("renovate[bot]")).kind).toBe("bot");
    expect((await account("dave-contractor")).attributes).toMatchObject({ outsideCollaborator: true });
    expect(await held("alice-acme")).toEqual(["org:member standard", "org:owner admin"]);
    // Bob: admin on api directly, maintain there and write on infra through the platform team.
    expect(await held("bob-acme")).toEqual(["org:member standard", "repo:api:admin admin", "repo:api:maintain privileged", "repo:infra:write privileged"]);
    expect(await held("dave-contractor")).toEqual(["repo:infra:write privileged"]);
  });

  it("changes nothing when imported again, and ends what left the organisation", async () => {
    const db = await testDb();
    const { exported, held } = await organisation(db);
    const again = await importGitHub(db, { export: exported });
    expect(again).toMatchObject({ accounts: { created: 0, updated: 0 }, entitlements: { created: 0, updated: 0 }, grants: { added: 0, removed: 0 } });
    const fewer = { ...exported, repos: exported.repos.map((r) => (r.name === "api" ? { ...r, collaborators: [] } : r)) };
    const third = await importGitHub(db, { export: fewer });
    // Bob's direct admin and the bot's write on api; the bot is gone from the organisation.
    expect(third).toMatchObject({ grants: { removed: 2 }, accounts: { removed: 1 } });
    expect(await held("bob-acme")).toEqual(["org:member standard", "repo:api:maintain privileged", "repo:infra:write privileged"]);
  });

  it("refuses a malformed export, naming the field, and changes nothing", async () => {
    const db = await testDb();
    const exported = await readGitHubExportDir(path.join(FIXTURES, "acme"));
    const org = uniq("bad").replace(/[^A-Za-z0-9-]/g, "-");
    await expect(importGitHub(db, { export: { ...exported, org: { login: org }, members: [{ login: "no spaces allowed" }] } })).rejects.toMatchObject({
      fieldErrors: { "members.0.login": ["is not a GitHub login"] },
    });
    await expect(importGitHub(db, { export: { ...exported, org: { login: org }, extra: 1 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(importGitHub(db, { export: { ...exported, org: { login: `${org}\u0000` } } })).rejects.toBeInstanceOf(ValidationError);
    await expect(readGitHubExportDir(path.join(FIXTURES, "nowhere"))).rejects.toMatchObject({
      fieldErrors: { "repos.json": [expect.stringMatching(/cannot be read/)] },
    });
    expect(await db.select().from(systems).where(eq(systems.externalId, org))).toEqual([]);
  });
});

describe("importing a GitHub audit log", () => {
  it("maps each entry to the least role it needs, attributes it to the least grant that allows it, and counts what it cannot map", async () => {
    const db = await testDb();
    const { org, account } = await organisation(db);
    const yesterday = Date.now() - 86_400_000;
    const entries = (JSON.parse(await readFile(path.join(FIXTURES, "audit-log.json"), "utf8")) as Record<string, unknown>[]).map((e, i) => ({
      ...e,
      org,
      "@timestamp": yesterday + i * 1000,
      _document_id: `${org}-${String(e._document_id)}`,
    }));
    const dir = await mkdtemp(path.join(tmpdir(), "gh-audit-"));
    await writeFile(path.join(dir, "export.json"), JSON.stringify(entries));
    const s = await importGitHubAudit(db, { org, paths: [dir] });
    expect(s).toMatchObject({
      records: 10,
      usage: { inserted: 6, duplicates: 0, denied: 0 },
      skipped: { "unknown-principal": 1, "no role exercised": 1, "no actor": 1, "unmapped-event": 1 },
      skippedDetails: [{ reason: "unmapped-event", detail: "copilot.cfb_seat_assignment_created", records: 1 }],
      unknownPrincipals: [{ principal: "eve-unknown", records: 1 }],
      coveredServices: ["git"],
    });
    const bob = await reconcileIdentity(db, { identity: (await account("bob-acme")).id });
    const row = (action: string) => bob.actions.find((a) => a.action === action);
    // The push needs write: the least of bob's roles that allows it is maintain, not his admin.
    expect(row("repo:api:write")).toMatchObject({ status: "used", approvedBy: "api (maintain)" });
    expect(row("repo:api:admin")).toMatchObject({ status: "used", approvedBy: "api (admin)" });
    // Git events are in the log, so reads and writes that did not happen are unused, not unobservable.
    expect(row("repo:infra:write")).toMatchObject({ status: "unused" });
    expect((await importGitHubAudit(db, { org, paths: [dir] })).usage).toEqual({ inserted: 0, duplicates: 6, denied: 0 });
    await expect(importGitHubAudit(db, { org: uniq("nowhere"), paths: [dir] })).rejects.toMatchObject({
      fieldErrors: { org: [expect.stringMatching(/import its members and repositories first/)] },
    });
  });
});

describe("admin roles held on many repositories and used on none", () => {
  it("is one finding per person and organisation, which a use of admin powers on any of them resolves", async () => {
    const db = await testDb();
    const org = uniq("acme").replace(/[^A-Za-z0-9-]/g, "-");
    const exported = await readGitHubExportDir(path.join(FIXTURES, "acme"));
    exported.org = { login: org };
    // Carol administers three repositories directly.
    const admin = { login: "carol-acme", id: 103, type: "User" as const, role_name: "admin" };
    exported.repos = [...exported.repos.map((r) => ({ ...r, collaborators: [...(r.collaborators ?? []), admin] })), { name: "web", collaborators: [admin] }];
    const summary = await importGitHub(db, { export: exported });
    // Held for longer than the window: a role granted within it has not had its chance.
    await db.execute(
      sql`update grants set starts_at = now() - interval '120 days' where entitlement_id in (select id from entitlements where system_id = ${summary.systemId})`,
    );
    const [carol] = await db
      .select()
      .from(identities)
      .where(and(eq(identities.systemId, summary.systemId), eq(identities.externalId, "carol-acme")));

    await runReconciliation(db);
    const dormant = () =>
      db
        .select()
        .from(findings)
        .where(and(eq(findings.kind, "dormant_admin"), eq(findings.systemId, summary.systemId)));
    const [f] = await dormant();
    expect(f).toMatchObject({ identityId: carol.id, status: "open", severity: "high", entitlementId: null });
    expect(f.title).toBe(`carol-acme holds 3 admin roles in github-${org} and used none of them in 90 days`);
    expect(f.details).toMatchObject({ adminRoles: 3, entitlements: ["api (admin)", "infra (admin)", "web (admin)"], lastUsedAt: null });
    // Bob holds admin on one repository only: his own "approved but unused" says it.
    expect((await dormant()).map((x) => x.identityId)).toEqual([carol.id]);

    // Carol changes a collaborator's access on web: admin powers used, the finding resolves.
    const dir = await mkdtemp(path.join(tmpdir(), "gh-audit-"));
    await writeFile(
      path.join(dir, "export.json"),
      JSON.stringify([
        {
          "@timestamp": Date.now() - 3_600_000,
          _document_id: `${org}-admin-1`,
          action: "repo.update_member",
          actor: "carol-acme",
          org,
          repo: `${org}/web`,
          user: "bob-acme",
        },
      ]),
    );
    expect((await importGitHubAudit(db, { org, paths: [dir] })).usage.inserted).toBe(1);
    await runReconciliation(db);
    expect((await dormant())[0].status).toBe("resolved");
  });
});
