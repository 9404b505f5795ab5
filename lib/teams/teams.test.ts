import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, eligibilityPolicies, identities, lifecycleEvents, teamMembers, teams } from "@/db/schema";
import { makeCaller, makeEntitlement, makeNhi, makePerson, testDb, uniq } from "@/lib/testing/harness";
import { createPolicy } from "@/lib/jit/policies";
import { addTeamMembers, createTeam, deleteTeam, deletedTeamName, getTeam, listTeams, removeTeamMember, renameTeam } from "./teams";

const primaryOf = async (db: Awaited<ReturnType<typeof testDb>>, id: string) =>
  (await db.select({ teamId: identities.teamId }).from(identities).where(eq(identities.id, id)))[0].teamId;

describe("teams defined by admins", () => {
  it("creates, renames and fills teams under the same validation and audit as everything else", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const [ana, ben] = [await makePerson(db), await makePerson(db)];
    const gone = await makePerson(db, { status: "offboarded" });
    const name = uniq("Payments on-call");

    const team = await createTeam(db, admin, { name, memberIds: [ana.id, ana.id] });
    expect(await primaryOf(db, ana.id)).toBe(team.id);
    await expect(createTeam(db, admin, { name: name.toUpperCase() })).rejects.toMatchObject({ status: 409 });
    for (const bad of [
      { name: "" },
      { name: "x\u0000y" },
      { name: "x".repeat(201) },
      { name: "x", extra: 1 },
      { name: "x", memberIds: ["nope"] },
      { name: "x", memberIds: Array(1001).fill(ana.id) },
      null,
      [],
    ])
      await expect(createTeam(db, admin, bad)).rejects.toMatchObject({ status: 422 });
    await expect(createTeam(db, admin, { name: uniq("t"), memberIds: [gone.id] })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { memberIds: [expect.stringContaining(gone.id)] },
    });
    await expect(createTeam(db, auditor, { name: uniq("t") })).rejects.toMatchObject({ status: 403 });

    // An id written in capitals is the same id.
    expect(await addTeamMembers(db, admin, team.id, { identityIds: [ana.id, ben.id.toUpperCase()] })).toEqual({ added: [ben.id] });
    await expect(addTeamMembers(db, admin, team.id, { identityIds: [] })).rejects.toMatchObject({ status: 422 });
    await expect(addTeamMembers(db, auditor, team.id, { identityIds: [ben.id] })).rejects.toMatchObject({ status: 403 });

    const renamed = await renameTeam(db, admin, team.id, { name: `${name} (EU)` });
    expect(renamed.name).toBe(`${name} (EU)`);
    await expect(renameTeam(db, admin, "00000000-0000-4000-8000-000000000000", { name: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(renameTeam(db, admin, "not-a-uuid", { name: "x" })).rejects.toMatchObject({ status: 404 });

    const seen = await getTeam(db, auditor, team.id);
    expect(seen.members.map((m) => [m.id, m.primary])).toEqual(
      expect.arrayContaining([
        [ana.id, true],
        [ben.id, true],
      ]),
    );
    expect((await listTeams(db, auditor)).find((t) => t.id === team.id)).toMatchObject({ members: 2, nhis: 0, managedBy: null });

    // In the chain's order: rows of one transaction share their time.
    const actions = (await db.select().from(auditLog).where(eq(auditLog.entityId, team.id)).orderBy(auditLog.seq)).map((r) => r.action);
    expect(actions).toEqual(["team.created", "team.members_added", "team.members_added", "team.renamed"]);
  });

  it("moves whoever leaves their primary team to their next one, as a mover", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const person = await makePerson(db);
    const first = await createTeam(db, admin, { name: uniq("first"), memberIds: [person.id] });
    const second = await createTeam(db, admin, { name: uniq("second"), memberIds: [person.id] });
    expect(await primaryOf(db, person.id)).toBe(first.id);

    await removeTeamMember(db, admin, first.id, person.id);
    expect(await primaryOf(db, person.id)).toBe(second.id);
    const [move] = await db
      .select()
      .from(lifecycleEvents)
      .where(and(eq(lifecycleEvents.identityId, person.id), eq(lifecycleEvents.type, "mover")));
    expect(move).toMatchObject({ source: "admin", details: expect.objectContaining({ teamId: { from: first.id, to: second.id } }) });
    await expect(removeTeamMember(db, admin, first.id, person.id)).rejects.toMatchObject({ status: 404 });
    await expect(removeTeamMember(db, admin, first.id, "x")).rejects.toMatchObject({ status: 404 });

    // An NHI the team runs is left without a team, audited, and is no mover: its owner and access stay.
    const nhi = await makeNhi(db);
    await db.update(identities).set({ teamId: second.id }).where(eq(identities.id, nhi.id));
    expect(await deletedTeamName(db, admin, second.id)).toBeNull();
    await deleteTeam(db, admin, second.id);
    // The page's confirmation names the team from the audit row of its deletion, never from the address.
    expect(await deletedTeamName(db, admin, second.id)).toBe(second.name);
    expect(await deletedTeamName(db, admin, "Payments\u0000")).toBeNull();
    expect(await primaryOf(db, person.id)).toBeNull();
    expect(await primaryOf(db, nhi.id)).toBeNull();
    expect(await db.select().from(lifecycleEvents).where(eq(lifecycleEvents.identityId, nhi.id))).toEqual([]);
    expect((await db.select().from(auditLog).where(eq(auditLog.entityId, nhi.id))).map((r) => r.after)).toContainEqual(
      expect.objectContaining({ teamId: null, reason: expect.stringContaining("left") }),
    );
    expect(await db.select().from(teams).where(eq(teams.id, second.id))).toEqual([]);
  });

  it("keeps a team an eligibility policy names, and leaves the identity provider's teams to it", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const team = await createTeam(db, admin, { name: uniq("on-call") });
    const ent = await makeEntitlement(db);
    const policy = uniq("Prod DB break-glass");
    const [p] = await db
      .insert(eligibilityPolicies)
      .values({ name: policy, entitlementId: ent.id, autoApproveTeamIds: [team.id], maxDurationMinutes: 60, defaultDurationMinutes: 60 })
      .returning();
    await expect(deleteTeam(db, admin, team.id)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(policy) });
    expect((await getTeam(db, admin, team.id)).policies).toEqual([{ id: p.id, name: policy }]);
    await db.update(eligibilityPolicies).set({ archivedAt: new Date() }).where(eq(eligibilityPolicies.id, p.id));
    await deleteTeam(db, admin, team.id);

    const [managed] = await db
      .insert(teams)
      .values({ name: uniq("Okta group"), managedBy: "scim:okta" })
      .returning();
    const person = await makePerson(db);
    for (const attempt of [
      () => renameTeam(db, admin, managed.id, { name: uniq("x") }),
      () => addTeamMembers(db, admin, managed.id, { identityIds: [person.id] }),
      () => removeTeamMember(db, admin, managed.id, person.id),
      () => deleteTeam(db, admin, managed.id),
    ])
      await expect(attempt()).rejects.toMatchObject({ status: 409, message: expect.stringContaining("scim:okta") });
    expect(await db.select().from(teamMembers).where(eq(teamMembers.teamId, managed.id))).toEqual([]);
  });

  it("never leaves a policy naming a team deleted at the same moment (one waits for the other)", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    for (let round = 0; round < 4; round++) {
      const team = await createTeam(db, admin, { name: uniq("racing") });
      const ent = await makeEntitlement(db);
      const policy = {
        name: uniq("Team elevation"),
        entitlementId: ent.id,
        teamIds: [team.id],
        maxDurationMinutes: 60,
        defaultDurationMinutes: 30,
        approvalsRequired: 1,
        approverMode: "approvers",
      };
      const [created, deleted] = await Promise.allSettled([createPolicy(db, admin, policy), deleteTeam(db, admin, team.id)]);
      // Either the policy came first and the deletion was refused naming it, or the team went first and the policy was refused.
      if (created.status === "fulfilled") expect(deleted).toMatchObject({ status: "rejected", reason: { status: 409 } });
      else expect([created.reason.status, deleted.status]).toEqual([422, "fulfilled"]);
    }
  });
});
