import { and, gt, inArray, isNotNull, lt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attestationReminders, identities } from "@/db/schema";
import { auditedTransaction } from "@/lib/audit/record";
import { notify } from "@/lib/notifications/notify";
import { ESCALATE_TO_MANAGER_AFTER_DAYS, daysAfter, loadCadences } from "./policy";

const REMINDER_LOCK = 7244102;

/**
 * Reminds owners of the NHIs whose attestation comes due, at each lead time
 * of their kind's attestation policy (0: when it falls due): one notice per
 * owner and run, counting their NHIs. Each lead time goes once per due date
 * (attesting moves the date, so the next cycle is reminded afresh); when
 * several have passed at once, only the nearest is sent. Past the point of
 * escalation the escalation's own notice takes over.
 */
export async function sendAttestationReminders(db: Db, now = new Date()) {
  const escalatedBefore = daysAfter(now, -ESCALATE_TO_MANAGER_AFTER_DAYS);
  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REMINDER_LOCK})`);
    const cadences = await loadCadences(tx);
    const horizon = daysAfter(now, Math.max(0, ...[...cadences.values()].flatMap((c) => c.reminderDays)));
    const due = await tx
      .select({ id: identities.id, kind: identities.kind, ownerId: identities.ownerId, nextAttestationAt: identities.nextAttestationAt })
      .from(identities)
      .where(
        and(
          ne(identities.kind, "human"),
          inArray(identities.status, ["active", "disabled"]),
          isNotNull(identities.ownerId),
          lt(identities.nextAttestationAt, horizon),
          gt(identities.nextAttestationAt, escalatedBefore),
        ),
      );
    const perOwner = new Map<string, { soon: number; overdue: number }>();
    for (const nhi of due) {
      const dueAt = nhi.nextAttestationAt!;
      const passed = cadences
        .get(nhi.kind)!
        .reminderDays.filter((d) => daysAfter(dueAt, -d) <= now)
        .sort((a, b) => a - b);
      if (passed.length === 0) continue;
      const marked = await tx
        .insert(attestationReminders)
        .values(passed.map((d) => ({ identityId: nhi.id, dueAt, daysBefore: d })))
        .onConflictDoNothing()
        .returning({ daysBefore: attestationReminders.daysBefore });
      if (!marked.some((m) => m.daysBefore === passed[0])) continue;
      const tally = perOwner.get(nhi.ownerId!) ?? { soon: 0, overdue: 0 };
      if (dueAt <= now) tally.overdue++;
      else tally.soon++;
      perOwner.set(nhi.ownerId!, tally);
    }
    for (const [ownerId, { soon, overdue }] of perOwner) {
      const n = soon + overdue;
      const parts = [overdue ? `${overdue} overdue` : null, soon ? `${soon} due soon` : null].filter(Boolean).join(", ");
      await notify(tx, [ownerId], {
        kind: "attestation.due",
        title: `${n} ${n === 1 ? "NHI" : "NHIs"} you own to attest (${parts})`,
        body: `Say whether each is still needed and what for. Overdue attestations go to your manager after ${ESCALATE_TO_MANAGER_AFTER_DAYS} days.`,
        link: "/attestations",
      });
    }
    return { owners: perOwner.size, reminded: [...perOwner.values()].reduce((s, t) => s + t.soon + t.overdue, 0) };
  });
}
