import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessEvents, auditLog, credentials, credentialTasks, notifications } from "@/db/schema";
import { attest } from "@/lib/attestation/attest";
import { makeCredential } from "@/lib/attestation/test-fixtures";
import { authenticateToken, issueToken } from "@/lib/auth/tokens";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { makeCaller, makeNhi, makePerson, testDb } from "@/lib/testing/harness";
import { listCredentialTasks, markRevoked, reportRevocation } from "./rotation";
import { TASK_DUE_DAYS, escalateOverdueCredentialTasks } from "./tasks";

const DAY_MS = 86_400_000;

async function decommissioned() {
  const db = await testDb();
  const admin = await makeCaller(db, ["admin"]);
  // A manager with no role: sees only their own corner of the inventory.
  const manager = await makeCaller(db, []);
  const owner = await makeCaller(db, ["owner"], { managerId: manager.identityId });
  const nhi = await makeNhi(db, { ownerId: owner.identityId });
  const key = await makeCredential(db, nhi.id);
  const result = await attest(db, owner, nhi.id, { stillNeeded: false, purpose: "Exported the old ledger", comment: "Ledger v1 is gone" });
  return { db, admin, manager, owner, nhi, key, result };
}

const taskOf = async (db: Awaited<ReturnType<typeof testDb>>, credentialId: string) =>
  (await db.select().from(credentialTasks).where(eq(credentialTasks.credentialId, credentialId)))[0];

describe("credential work promised by a decommission", () => {
  it("is a revoke task the owner holds, visible to them and the admins, announced downstream", async () => {
    const { db, admin, owner, nhi, key, result } = await decommissioned();
    expect(result.credentialsQueued).toBe(1);

    const task = await taskOf(db, key.id);
    expect(task).toMatchObject({ kind: "revoke", status: "open", assigneeId: owner.identityId, escalationLevel: 0 });
    expect(Math.abs(task.dueAt.getTime() - (Date.now() + TASK_DUE_DAYS.revoke * DAY_MS))).toBeLessThan(60_000);

    for (const who of [owner, admin]) {
      expect((await listCredentialTasks(db, who)).find((t) => t.credentialId === key.id)).toMatchObject({
        kind: "revoke",
        identityId: nhi.id,
        assigneeName: expect.any(String),
      });
    }
    const events = await db.select().from(accessEvents).where(eq(accessEvents.type, "credential.revocation_requested"));
    expect(events.find((e) => (e.payload as { credentialId: string }).credentialId === key.id)?.payload).toMatchObject({
      taskId: task.id,
      source: "attestation",
    });
    const told = await db.select().from(notifications).where(eq(notifications.recipientId, owner.identityId));
    expect(told.map((n) => n.kind)).toContain("credential.revoke_requested");
  });

  it("is followed to done: the owner marks it revoked, audited; a read-only caller may not", async () => {
    const { db, owner, key } = await decommissioned();
    const auditor = await makeCaller(db, ["auditor"]);
    await expect(markRevoked(db, auditor, key.id, {})).rejects.toMatchObject({ status: 403 });
    const stranger = await makeCaller(db, ["owner"]);
    await expect(markRevoked(db, stranger, key.id, {})).rejects.toMatchObject({ status: 404 });

    await markRevoked(db, owner, key.id, {});
    const [cred] = await db.select().from(credentials).where(eq(credentials.id, key.id));
    expect(cred.status).toBe("revoked");
    expect(await taskOf(db, key.id)).toMatchObject({ status: "done", doneById: owner.identityId });
    expect((await listCredentialTasks(db, owner)).find((t) => t.credentialId === key.id)).toBeUndefined();
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, key.id), eq(auditLog.action, "credential.revoked")));
    expect(audit).toHaveLength(1);
    await expect(markRevoked(db, owner, key.id, {})).rejects.toMatchObject({ status: 422 });
  });

  it("can be confirmed by a connector holding credentials:write, not by a log source", async () => {
    const { db, admin, key } = await decommissioned();
    const tokenWith = async (scopes: string[]) => (await authenticateToken(db, (await issueToken(db, admin, { name: `secrets ${scopes[0]}`, scopes })).token))!;
    await expect(reportRevocation(db, await tokenWith(["usage:write"]), { credentialId: key.id })).rejects.toMatchObject({ status: 403 });
    await expect(reportRevocation(db, await tokenWith(["credentials:write"]), { credentialId: key.id, revokedAt: "2999-01-01" })).rejects.toMatchObject({
      status: 422,
    });
    await reportRevocation(db, await tokenWith(["credentials:write"]), { credentialId: key.id });
    expect(await taskOf(db, key.id)).toMatchObject({ status: "done", doneById: null });
  });

  it("escalates when overdue: to the owner's manager, then to the admins, once each", async () => {
    const { db, manager, nhi, key } = await decommissioned();
    const task = await taskOf(db, key.id);
    await expect(getVisibleIdentity(db, manager, nhi.id)).rejects.toMatchObject({ status: 404 });

    await db
      .update(credentialTasks)
      .set({ dueAt: new Date(Date.now() - DAY_MS) })
      .where(eq(credentialTasks.id, task.id));
    await escalateOverdueCredentialTasks(db);
    expect(await taskOf(db, key.id)).toMatchObject({ escalationLevel: 1, escalatedToId: manager.identityId });
    // The manager now sees the identity and the task they must chase.
    expect((await getVisibleIdentity(db, manager, nhi.id)).identity.id).toBe(nhi.id);
    expect((await listCredentialTasks(db, manager)).map((t) => t.id)).toContain(task.id);
    await escalateOverdueCredentialTasks(db);
    expect(await taskOf(db, key.id)).toMatchObject({ escalationLevel: 1 });

    await db
      .update(credentialTasks)
      .set({ dueAt: new Date(Date.now() - 10 * DAY_MS) })
      .where(eq(credentialTasks.id, task.id));
    await escalateOverdueCredentialTasks(db);
    expect(await taskOf(db, key.id)).toMatchObject({ escalationLevel: 2, escalatedToId: null });
    const climbs = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, key.id), eq(auditLog.action, "credential_task.escalated")));
    expect(climbs.map((a) => (a.after as { escalationLevel: number }).escalationLevel)).toEqual([1, 2]);
  });

  it("goes to the admins when the owner has left and nobody backs the identity up", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const gone = await makePerson(db, { status: "offboarded" });
    const nhi = await makeNhi(db, { ownerId: gone.id });
    const key = await makeCredential(db, nhi.id);
    await attest(db, admin, nhi.id, { stillNeeded: false, purpose: "Nobody uses it", comment: "Orphan cleanup" });
    expect(await taskOf(db, key.id)).toMatchObject({ kind: "revoke", assigneeId: null });
  });
});
