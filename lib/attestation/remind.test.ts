import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "@/db/schema";
import { makeCaller, makeNhi, testDb } from "@/lib/testing/harness";
import { attest } from "./attest";
import { sendAttestationReminders } from "./remind";
import { setDue } from "./test-fixtures";

const DAY = 86_400_000;
const noticesOf = async (ownerId: string) =>
  (await testDb())
    .select()
    .from(notifications)
    .where(and(eq(notifications.recipientId, ownerId), eq(notifications.kind, "attestation.due")));

describe("attestation reminders", () => {
  it("reminds an owner once per lead time with one notice for all their NHIs, and again after the next due date", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const soon = await makeNhi(db, { ownerId: owner.identityId });
    const overdue = await makeNhi(db, { ownerId: owner.identityId });
    const later = await makeNhi(db, { ownerId: owner.identityId });
    const now = new Date();
    await setDue(db, soon.id, 10, now);
    await setDue(db, overdue.id, -2, now);
    await setDue(db, later.id, 60, now);

    await sendAttestationReminders(db, now);
    expect((await noticesOf(owner.identityId)).map((n) => n.title)).toEqual(["2 NHIs you own to attest (1 overdue, 1 due soon)"]);
    // Again the same day: nothing new.
    await sendAttestationReminders(db, now);
    expect(await noticesOf(owner.identityId)).toHaveLength(1);

    // Eight days on, the 3-day lead time of the first has come; the overdue one was already told.
    await sendAttestationReminders(db, new Date(now.getTime() + 8 * DAY));
    expect((await noticesOf(owner.identityId)).map((n) => n.title)).toContain("1 NHI you own to attest (1 due soon)");

    // Attested: its next due date is 90 days on, so that cycle's reminders are new ones.
    await attest(db, owner, overdue.id, { stillNeeded: "yes", purpose: "Runs the nightly test job" });
    const before = (await noticesOf(owner.identityId)).length;
    await sendAttestationReminders(db, new Date(now.getTime() + 8 * DAY));
    expect(await noticesOf(owner.identityId)).toHaveLength(before);
  });

  it("leaves NHIs without an owner, and those past escalation, to the escalation's own notices", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const orphan = await makeNhi(db, { ownerId: null });
    const longOverdue = await makeNhi(db, { ownerId: owner.identityId });
    await setDue(db, orphan.id, 1);
    await setDue(db, longOverdue.id, -20);
    await sendAttestationReminders(db);
    expect(await noticesOf(owner.identityId)).toEqual([]);
  });
});
