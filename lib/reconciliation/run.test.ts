import { subDays } from "date-fns";
import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows } from "@/db/rows";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { credentials, entitlements, findings, grants, identities, identityRisk, lifecycleEvents, riskSnapshots } from "@/db/schema";
import { recordUsage } from "@/lib/usage/record";
import { makeCaller, makeGrant, makeNhi, makePerson, makeSystem, testDb, uniq } from "@/lib/testing/harness";
import { reconcileIdentity } from "./actions";
import { riskDashboard } from "./dashboard";
import { requestReconciliation } from "@/lib/findings/refresh";
import { actOnFindings, listFindings, queueReconciliationNow } from "./findings";
import { frameworkView } from "./frameworks";
import { runReconciliation } from "./run";

const daysAgo = (n: number) => subDays(new Date(), n);

async function use(db: Db, identityId: string, entitlementId: string, at: Date, outcome: "success" | "denied" = "success") {
  await db.transaction((tx) =>
    recordUsage(tx, [{ eventId: uniq("e"), source: "test", identityId, entitlementId, systemId: null, action: "test:Use", outcome, occurredAt: at }]),
  );
}

async function findingsOf(db: Db, identityIds: string[]) {
  return db.select().from(findings).where(inArray(findings.identityId, identityIds));
}

/** One identity per kind of finding, each in a system of its own. */
async function scenario(db: Db) {
  const owner = await makePerson(db);
  const system = await makeSystem(db);
  const unused = await makeNhi(db, { ownerId: owner.id, systemId: system.id });
  const unusedGrant = await makeGrant(db, unused.id, { level: "admin", systemId: system.id });
  await db
    .update(grants)
    .set({ startsAt: daysAgo(200), provenance: "campaign_decision" })
    .where(eq(grants.id, unusedGrant.grant.id));
  const used = await makeGrant(db, unused.id, { level: "privileged", systemId: system.id });
  await db
    .update(grants)
    .set({ startsAt: daysAgo(200), provenance: "campaign_decision" })
    .where(eq(grants.id, used.grant.id));
  await use(db, unused.id, used.entitlement.id, daysAgo(2));

  const rogue = await makeNhi(db, { ownerId: owner.id, systemId: system.id });
  const unapproved = await makeGrant(db, rogue.id, { level: "privileged", systemId: system.id });
  await db.update(grants).set({ provenance: "none" }).where(eq(grants.id, unapproved.grant.id));
  const noGrant = await makeGrant(db, owner.id, { level: "admin", systemId: system.id, revokedAt: daysAgo(150) });
  await use(db, rogue.id, noGrant.entitlement.id, daysAgo(1));
  await use(db, rogue.id, noGrant.entitlement.id, daysAgo(1), "denied");

  const lapsed = await makeNhi(db, { ownerId: owner.id, systemId: system.id });
  const lapsedGrant = await makeGrant(db, lapsed.id, { level: "privileged", systemId: system.id });
  await db
    .update(grants)
    .set({ provenance: "campaign_decision", approvalExpiresAt: daysAgo(10) })
    .where(eq(grants.id, lapsedGrant.grant.id));

  const leaver = await makePerson(db, { status: "offboarded" });
  const leaverGrant = await makeGrant(db, leaver.id, { systemId: system.id });
  await db.insert(lifecycleEvents).values({ identityId: leaver.id, type: "leaver", source: "test", occurredAt: daysAgo(20) });
  await use(db, leaver.id, leaverGrant.entitlement.id, daysAgo(3));

  const orphan = await makeNhi(db, { ownerId: null, systemId: system.id });
  await db.insert(credentials).values({ identityId: orphan.id, type: "access_key", label: "AKIA…OLD1", issuedAt: daysAgo(800) });
  return { owner, system, unused, unusedGrant, used, rogue, unapproved, noGrant, lapsed, lapsedGrant, leaver, orphan };
}

describe("reconciliation", () => {
  it("classifies every pair into findings, scores identities and snapshots the day; a second pass changes nothing", async () => {
    const db = await testDb();
    const s = await scenario(db);
    const ids = [s.unused.id, s.rogue.id, s.lapsed.id, s.leaver.id, s.orphan.id];
    const first = await runReconciliation(db);
    expect(first.detected).toBeGreaterThanOrEqual(8);
    const got = await findingsOf(db, ids);
    const has = (kind: string, identityId: string) => got.find((f) => f.kind === kind && f.identityId === identityId && f.status === "open");
    expect(has("approved_unused", s.unused.id)).toMatchObject({ severity: "high", grantId: s.unusedGrant.grant.id, source: "reconciliation" });
    expect(got.filter((f) => f.identityId === s.unused.id && f.entitlementId === s.used.entitlement.id)).toEqual([]);
    expect(has("unapproved_grant", s.rogue.id)).toMatchObject({ severity: "high", entitlementId: s.unapproved.entitlement.id });
    expect(has("used_without_approval", s.rogue.id)).toMatchObject({ severity: "critical", entitlementId: s.noGrant.entitlement.id });
    expect(has("denied_attempt", s.rogue.id)).toBeTruthy();
    expect(has("active_after_approval", s.lapsed.id)).toMatchObject({ grantId: s.lapsedGrant.grant.id });
    expect(has("used_after_offboarding", s.leaver.id)).toMatchObject({ severity: "critical" });
    expect(has("orphaned_nhi", s.orphan.id)).toBeTruthy();
    expect(has("stale_credential", s.orphan.id)).toMatchObject({ title: expect.stringContaining("never rotated in 800 days") });

    const [risk] = await db.select().from(identityRisk).where(eq(identityRisk.identityId, s.unused.id));
    expect(risk).toMatchObject({ privilegedGrants: 2, unusedPrivileged: 1, creepScore: 50 });
    expect(risk.exposureHours).toBeCloseTo(2 * 90 * 24, -1);
    expect(risk.usedHours).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    const snaps = await db.select().from(riskSnapshots);
    expect(snaps.map((r) => r.day)).toContain(today);
    expect(snaps.length).toBeGreaterThanOrEqual(91);
    expect(snaps.find((r) => r.day === today)!.figures).toMatchObject({
      standingPrivileged: expect.any(Number),
      "findings.kind.orphaned_nhi": expect.any(Number),
    });

    // Other test files may add data meanwhile (a shared PostgreSQL): compare this scenario's rows only.
    const second = await runReconciliation(db);
    expect(second.snapshots).toBe(1);
    const again = await findingsOf(db, ids);
    expect(again.map((f) => [f.id, f.status, f.updatedAt.getTime()]).sort()).toEqual(got.map((f) => [f.id, f.status, f.updatedAt.getTime()]).sort());
  });

  it("holds each credential to its type's rotation policy: maximum age, and an expiry where the policy requires one", async () => {
    const db = await testDb();
    const nhi = await makeNhi(db, { systemId: (await makeSystem(db)).id });
    // The shipped policies: access keys 90 days, SSH keys 365 days, API tokens 90 days and must expire.
    const [oldKey, youngSsh, openToken, expiring] = await db
      .insert(credentials)
      .values([
        { identityId: nhi.id, type: "access_key", label: "AKIA…K100", issuedAt: daysAgo(100) },
        { identityId: nhi.id, type: "ssh_key", label: "ssh-ed25519 …S100", issuedAt: daysAgo(100) },
        { identityId: nhi.id, type: "api_token", label: "tok…T010", issuedAt: daysAgo(10) },
        { identityId: nhi.id, type: "api_token", label: "tok…T011", issuedAt: daysAgo(10), expiresAt: daysAgo(-30) },
      ])
      .returning();
    await runReconciliation(db);
    const open = (await findingsOf(db, [nhi.id])).filter((f) => f.kind === "stale_credential" && f.status === "open");
    const of = (id: string) => open.find((f) => (f.details as { credentialId: string }).credentialId === id);
    expect(of(oldKey.id)?.title).toBe("AKIA…K100 never rotated in 100 days (policy: rotate every 90 days)");
    expect(of(openToken.id)?.title).toBe("tok…T010 has no expiry, which its policy requires (policy: rotate every 90 days)");
    expect(of(youngSsh.id)).toBeUndefined();
    expect(of(expiring.id)).toBeUndefined();
  });

  it("judges cloud actions through the identity's permissions boundary, as its own reconciliation does", async () => {
    const db = await testDb();
    const system = await makeSystem(db);
    const boundaryArn = `arn:aws:iam::111122223333:policy/${uniq("Boundary")}`;
    const nhi = await makeNhi(db, { systemId: system.id });
    await db
      .update(identities)
      .set({ attributes: { permissionsBoundaryArn: boundaryArn } })
      .where(eq(identities.id, nhi.id));
    // Granted everything, bounded to reading S3.
    const { entitlement: admin } = await makeGrant(db, nhi.id, { level: "admin", systemId: system.id });
    await db
      .update(entitlements)
      .set({ permissions: [{ effect: "Allow", actions: ["*"], conditional: false, allResources: true }] })
      .where(eq(entitlements.id, admin.id));
    await db.insert(entitlements).values({
      systemId: system.id,
      name: uniq("boundary"),
      externalRef: boundaryArn,
      privilegeLevel: "standard",
      permissions: [{ effect: "Allow", actions: ["s3:Get*"], conditional: false, allResources: true }],
    });
    for (const action of ["s3:GetObject", "ec2:RunInstances"]) {
      await db.transaction((tx) =>
        recordUsage(tx, [
          {
            eventId: uniq("e"),
            source: "test",
            identityId: nhi.id,
            entitlementId: null,
            systemId: system.id,
            action,
            outcome: "success",
            occurredAt: daysAgo(1),
          },
        ]),
      );
    }
    await runReconciliation(db);
    const finding = (await findingsOf(db, [nhi.id])).find((f) => f.kind === "used_without_approval" && f.status === "open");
    expect((finding?.details as { actions: { action: string }[] }).actions.map((a) => a.action)).toEqual(["ec2:RunInstances"]);
    const own = await reconcileIdentity(db, { identity: nhi.id });
    expect(own.actions.find((a) => a.action === "ec2:RunInstances")).toMatchObject({ status: "unapproved" });
    expect(own.actions.find((a) => a.action === "s3:GetObject")).toMatchObject({ status: "used" });
  });

  it("coalesces the passes changes ask for into one per 5-second window, started once the window has closed", async () => {
    const db = await testDb();
    // A window of its own, far from other tests' wall-clock windows.
    const t = Date.UTC(2031, 0, 1, 12, 0, 0);
    await db.transaction((tx) => requestReconciliation(tx, t + 100));
    await db.transaction((tx) => requestReconciliation(tx, t + 4900));
    await db.transaction((tx) => requestReconciliation(tx, t + 5100));
    const jobs = await queryRows<{ start_after: Date }>(
      db,
      sql`select start_after from pgboss.job where name = 'reconciliation.run' and start_after >= ${new Date(t).toISOString()}::timestamptz order by start_after`,
    );
    expect(jobs.map((j) => new Date(j.start_after).getTime())).toEqual([t + 5000, t + 10000]);
  });

  it("queues a pass now for admins only", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const auditor = await makeCaller(db, ["auditor"]);
    // Whether this call or another in the same 5-second window queued the pass, one is on its way.
    expect(typeof (await queueReconciliationNow(db, admin))).toBe("boolean");
    await expect(queueReconciliationNow(db, auditor)).rejects.toMatchObject({ status: 403 });
  });

  it("acts on findings: revoking resolves them and they stay resolved, accepted risk stays accepted; only admins act", async () => {
    const db = await testDb();
    const s = await scenario(db);
    const admin = await makeCaller(db, ["admin"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const requester = await makeCaller(db, ["requester"]);
    await runReconciliation(db);
    const list = await listFindings(db, auditor, { identityId: s.unused.id });
    const unusedFinding = list.rows.find((r) => r.kind === "approved_unused")!;
    expect(unusedFinding).toMatchObject({ revocable: true, convertible: true, identityKind: "service_account" });
    await expect(listFindings(db, requester, {})).rejects.toMatchObject({ status: 403 });
    await expect(actOnFindings(db, auditor, { findingIds: [unusedFinding.id], action: "revoke", reason: "Unused" })).rejects.toMatchObject({ status: 403 });
    await expect(actOnFindings(db, admin, { findingIds: [unusedFinding.id], action: "revoke" })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { reason: ["Say why the access is revoked."] },
    });

    expect(await actOnFindings(db, admin, { findingIds: [unusedFinding.id], action: "revoke", reason: "Unused for 200 days" })).toMatchObject({ revoked: 1 });
    const [grant] = await db.select().from(grants).where(eq(grants.id, s.unusedGrant.grant.id));
    expect(grant.revokedAt).not.toBeNull();
    const orphanFinding = (await listFindings(db, admin, { identityId: s.orphan.id, kind: "orphaned_nhi" })).rows[0];
    await expect(actOnFindings(db, admin, { findingIds: [orphanFinding.id], action: "revoke", reason: "no" })).rejects.toMatchObject({ status: 422 });
    await actOnFindings(db, admin, { findingIds: [orphanFinding.id], action: "accept", reason: "Owner being hired, tracked in HR-12" });

    await runReconciliation(db);
    const after = await findingsOf(db, [s.unused.id, s.orphan.id]);
    expect(after.find((f) => f.id === unusedFinding.id)).toMatchObject({ status: "resolved", resolution: expect.stringContaining("Revoked by") });
    expect(after.find((f) => f.id === orphanFinding.id)).toMatchObject({ status: "accepted" });
    await expect(actOnFindings(db, admin, { findingIds: [unusedFinding.id], action: "revoke", reason: "again" })).rejects.toMatchObject({ status: 409 });

    // Converting a standing grant behind a finding makes its holder eligible instead.
    const lapsed = (await listFindings(db, admin, { identityId: s.lapsed.id, kind: "active_after_approval" })).rows[0];
    expect(await actOnFindings(db, admin, { findingIds: [lapsed.id], action: "convert" })).toMatchObject({ converted: 1 });
    const [eligible] = await db
      .select()
      .from(grants)
      .where(and(eq(grants.identityId, s.lapsed.id), eq(grants.type, "eligible")));
    expect(eligible.provenance).toBe("policy");

    // A targeted review of the access behind a finding.
    const reviewer = await makeCaller(db, ["reviewer"]);
    const rogue = (await listFindings(db, admin, { identityId: s.rogue.id, kind: "unapproved_grant" })).rows[0];
    const review = await actOnFindings(db, admin, { findingIds: [rogue.id], action: "review", reviewerId: reviewer.identityId });
    expect(review).toMatchObject({ action: "review", items: 1, campaignId: expect.any(String) });
  });

  it("maps open findings to OWASP NHI and NIST CSF controls, and the dashboard reads the same numbers", async () => {
    const db = await testDb();
    const s = await scenario(db);
    const auditor = await makeCaller(db, ["auditor"]);
    await runReconciliation(db);
    const controls = await frameworkView(db, auditor);
    const nhi1 = controls.find((c) => c.id === "NHI1")!;
    expect(nhi1.open).toBeGreaterThanOrEqual(1);
    const nhi7 = (await listFindings(db, auditor, { control: "NHI7", identityId: s.orphan.id })).rows;
    expect(nhi7.map((f) => f.kind)).toEqual(["stale_credential"]);
    const human = (await listFindings(db, auditor, { control: "NHI1", identityId: s.leaver.id })).rows;
    expect(human).toEqual([]);
    expect((await listFindings(db, auditor, { control: "PR.AA-01", identityId: s.leaver.id })).rows.map((f) => f.kind)).toEqual(["used_after_offboarding"]);

    const dash = await riskDashboard(db, auditor);
    expect(dash.trend.length).toBeGreaterThanOrEqual(91);
    expect(dash.figures.openFindings).toBeGreaterThanOrEqual(nhi1.open);
    expect(dash.findingsByKind.map((k) => k.key)).toContain("orphaned_nhi");
    expect(dash.topCreep[0].creepScore).toBeGreaterThanOrEqual(dash.topCreep.at(-1)!.creepScore);
    const requester = await makeCaller(db, ["requester"]);
    await expect(riskDashboard(db, requester)).rejects.toMatchObject({ status: 403 });
    await db.update(identities).set({ status: "active" }).where(eq(identities.id, s.leaver.id));
  });
});
