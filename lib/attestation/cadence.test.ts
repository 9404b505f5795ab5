import { and, eq, gte } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { attestationPolicies, auditLog, identities, notifications } from "@/db/schema";
import { makeCaller, makeNhi, testDb } from "@/lib/testing/harness";
import { attest } from "./attest";
import { listAttestationPolicies, setAttestationPolicy } from "./cadence";
import { sendAttestationReminders } from "./remind";

// Certificates are the kind no other test attests, so changing their policy disturbs nothing running beside it.
const KIND = "certificate";
const DAY = 86_400_000;
const daysFrom = (now: Date, days: number) => new Date(now.getTime() + days * DAY);
const nextOf = async (id: string) => (await (await testDb()).select().from(identities).where(eq(identities.id, id)))[0].nextAttestationAt!;

/** This run's audit rows of the certificate policy (a database kept between runs holds earlier ones). */
const policyRows = (since: Date) => and(eq(auditLog.action, "attestation_policy.updated"), eq(auditLog.entityId, KIND), gte(auditLog.occurredAt, since));

afterAll(async () => {
  await (await testDb()).delete(attestationPolicies).where(eq(attestationPolicies.kind, KIND));
});

describe("attestation policy per kind of NHI", () => {
  it("lists every kind with the default, for admins, auditors and owners only", async () => {
    const db = await testDb();
    const listed = await listAttestationPolicies(db, await makeCaller(db, ["owner"]));
    expect(listed.map((p) => p.kind)).toEqual(["service_account", "api_key", "workload_role", "bot", "ai_agent", "certificate"]);
    expect(listed.find((p) => p.kind === "bot")).toMatchObject({ intervalDays: 90, reminderDays: [14, 3, 0], custom: false });
    await expect(listAttestationPolicies(db, await makeCaller(db, ["requester"]))).rejects.toMatchObject({ status: 403 });
  });

  it("refuses what cannot be a cadence, changing nothing", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const ok = { intervalDays: 30, reminderDays: [7, 0] };
    for (const [bad, field] of [
      [{ ...ok, intervalDays: 3 }, "intervalDays"],
      [{ ...ok, intervalDays: 1e308 }, "intervalDays"],
      [{ ...ok, intervalDays: 30.5 }, "intervalDays"],
      [{ ...ok, intervalDays: "30" }, "intervalDays"],
      [{ ...ok, reminderDays: [30] }, "reminderDays"],
      [{ ...ok, reminderDays: [7, 7] }, "reminderDays"],
      [{ ...ok, reminderDays: [-1] }, "reminderDays.0"],
      [{ ...ok, reminderDays: [1, 2, 3, 4, 5, 6, 7] }, "reminderDays"],
      [{ ...ok, reminderDays: "7,0" }, "reminderDays"],
    ] as const)
      await expect(setAttestationPolicy(db, admin, KIND, bad)).rejects.toMatchObject({ status: 422, fieldErrors: { [field]: expect.any(Array) } });
    await expect(setAttestationPolicy(db, admin, KIND, { ...ok, extra: 1 })).rejects.toMatchObject({ status: 422 });
    await expect(setAttestationPolicy(db, admin, "human", ok)).rejects.toMatchObject({ status: 404 });
    await expect(setAttestationPolicy(db, admin, "x\u0000", ok)).rejects.toMatchObject({ status: 404 });
    await expect(setAttestationPolicy(db, await makeCaller(db, ["auditor"]), KIND, ok)).rejects.toMatchObject({ status: 403 });
    expect(await db.select().from(attestationPolicies).where(eq(attestationPolicies.kind, KIND))).toEqual([]);
  });

  it("brings due dates forward when the interval shortens, and attesting and reminders follow the kind's policy", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const owner = await makeCaller(db, ["owner"]);
    const now = new Date();
    const [old, recent, other] = [
      await makeNhi(db, { ownerId: owner.identityId, kind: KIND }),
      await makeNhi(db, { ownerId: owner.identityId, kind: KIND }),
      await makeNhi(db, { ownerId: owner.identityId }),
    ];
    const schedule = (id: string, lastAgo: number, nextIn: number) =>
      db
        .update(identities)
        .set({ lastAttestedAt: daysFrom(now, -lastAgo), nextAttestationAt: daysFrom(now, nextIn) })
        .where(eq(identities.id, id));
    await schedule(old.id, 60, 30);
    await schedule(recent.id, 10, 80);
    await schedule(other.id, 60, 30);

    const saved = await setAttestationPolicy(db, admin, KIND, { intervalDays: 30, reminderDays: [0, 7] });
    expect(saved).toMatchObject({ intervalDays: 30, reminderDays: [7, 0] });
    // Its new date (30 days after the last attestation) has passed: due today, not retroactively a month overdue.
    expect(Math.round(((await nextOf(old.id)).getTime() - now.getTime()) / DAY)).toBe(0);
    expect(Math.round(((await nextOf(recent.id)).getTime() - now.getTime()) / DAY)).toBe(20);
    expect(Math.round(((await nextOf(other.id)).getTime() - now.getTime()) / DAY)).toBe(30);
    const [row] = await db.select().from(auditLog).where(policyRows(now));
    expect(row.before).toMatchObject({ intervalDays: 90, default: true });
    expect(row.after).toMatchObject({ intervalDays: 30, rescheduled: 2, identityIds: expect.arrayContaining([old.id, recent.id]) });

    // The same again: nothing changes, nothing is recorded.
    await setAttestationPolicy(db, admin, KIND, { intervalDays: 30, reminderDays: [7, 0] });
    expect(await db.select().from(auditLog).where(policyRows(now))).toHaveLength(1);

    // Longer again: nothing is put off.
    expect((await setAttestationPolicy(db, admin, KIND, { intervalDays: 60, reminderDays: [2] })).rescheduled).toBe(0);
    expect(Math.round(((await nextOf(recent.id)).getTime() - now.getTime()) / DAY)).toBe(20);

    // Attesting schedules the next one by the kind's interval.
    await attest(db, owner, old.id, { stillNeeded: "yes", purpose: "Signs the partner API's requests" });
    expect(Math.round(((await nextOf(old.id)).getTime() - now.getTime()) / DAY)).toBe(60);

    // Due in 5 days: the certificate's only reminder is 2 days ahead, the service account's default 14.
    await db
      .update(identities)
      .set({ nextAttestationAt: daysFrom(now, 5) })
      .where(eq(identities.id, recent.id));
    await db
      .update(identities)
      .set({ nextAttestationAt: daysFrom(now, 5) })
      .where(eq(identities.id, other.id));
    await sendAttestationReminders(db, now);
    const notices = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientId, owner.identityId), eq(notifications.kind, "attestation.due")));
    expect(notices.map((n) => n.title)).toEqual(["1 NHI you own to attest (1 due soon)"]);
    await sendAttestationReminders(db, daysFrom(now, 3.5));
    expect(
      await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.recipientId, owner.identityId), eq(notifications.kind, "attestation.due"))),
    ).toHaveLength(2);
  });
});
