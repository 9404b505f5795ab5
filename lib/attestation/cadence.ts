import { and, eq, gt, inArray, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { attestationPolicies, identities, nonHumanKinds } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { NotFoundError, parseInput } from "@/lib/errors";
import { DEFAULT_CADENCE, loadCadences } from "./policy";

const MIN_INTERVAL_DAYS = 7;
const MAX_INTERVAL_DAYS = 730;

export const cadenceInput = z
  .object({
    intervalDays: z
      .number({ message: "Say every how many days, as a whole number." })
      .int("Say every how many days, as a whole number.")
      .min(MIN_INTERVAL_DAYS, `At least every ${MIN_INTERVAL_DAYS} days: owners need time to answer.`)
      .max(MAX_INTERVAL_DAYS, `At most every ${MAX_INTERVAL_DAYS} days (two years).`),
    reminderDays: z
      .array(
        z
          .number({ message: "Each reminder is a whole number of days before the due date." })
          .int("Each reminder is a whole number of days before the due date.")
          .min(0, "A reminder goes before the due date or on it (0), not after: overdue attestations escalate instead.")
          .max(90, "Remind at most 90 days ahead."),
        { message: "List the reminders as days before the due date." },
      )
      .max(6, "At most 6 reminders per attestation."),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (new Set(v.reminderDays).size !== v.reminderDays.length) ctx.addIssue({ code: "custom", path: ["reminderDays"], message: "Each reminder day once." });
    const tooEarly = v.reminderDays.filter((d) => d >= v.intervalDays);
    if (tooEarly.length)
      ctx.addIssue({
        code: "custom",
        path: ["reminderDays"],
        message: `A reminder ${tooEarly[0]} days ahead would come before the previous attestation; keep reminders under ${v.intervalDays} days.`,
      });
  });

const kindOf = (kind: string) => {
  const k = nonHumanKinds.find((n) => n === kind);
  if (!k) throw new NotFoundError("Attestation policy");
  return k;
};

/** Every kind of NHI's attestation policy, with how many live NHIs it governs. Admins, auditors and owners read it. */
export async function listAttestationPolicies(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor", "owner");
  const cadences = await loadCadences(db);
  const counts = new Map(
    (
      await db
        .select({ kind: identities.kind, n: sql<number>`count(*)::int` })
        .from(identities)
        .where(inArray(identities.status, ["active", "disabled"]))
        .groupBy(identities.kind)
    ).map((r) => [r.kind as string, r.n]),
  );
  return nonHumanKinds.map((kind) => ({ kind, ...cadences.get(kind)!, nhis: counts.get(kind) ?? 0 }));
}

/**
 * Sets one kind's cadence. A shorter interval applies at once: an NHI of that
 * kind whose next attestation lies beyond its last one plus the new interval
 * is due then instead (never later than it was, never before today). A longer one applies from
 * each NHI's next attestation, so nothing already due is put off.
 */
export async function setAttestationPolicy(db: Db, caller: Caller, kind: string, raw: unknown) {
  requireRole(caller, "admin");
  const k = kindOf(kind);
  const input = parseInput(cadenceInput, raw);
  const reminderDays = [...input.reminderDays].sort((a, b) => b - a);
  return auditedTransaction(db, async (tx) => {
    // Two admins setting a kind's first policy at once: a row lock has no row to hold yet.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`attestation_policy:${k}`}::text))`);
    const [current] = await tx.select().from(attestationPolicies).where(eq(attestationPolicies.kind, k));
    const before = current ? { intervalDays: current.intervalDays, reminderDays: current.reminderDays } : { ...DEFAULT_CADENCE, default: true };
    // Saved again as it is: nothing changes, so nothing is recorded.
    if (current && current.intervalDays === input.intervalDays && current.reminderDays.join() === reminderDays.join())
      return { kind: k, intervalDays: input.intervalDays, reminderDays, rescheduled: 0 };
    await tx
      .insert(attestationPolicies)
      .values({ kind: k, intervalDays: input.intervalDays, reminderDays })
      .onConflictDoUpdate({ target: attestationPolicies.kind, set: { intervalDays: input.intervalDays, reminderDays, updatedAt: new Date() } });
    const pulledIn = await pullIn(tx, k, input.intervalDays, new Date());
    await recordAudit(tx, actorOf(caller), {
      action: "attestation_policy.updated",
      entityType: "attestation_policy",
      entityId: k,
      before,
      // Which NHIs' due dates moved, so each one's history explains itself.
      after: { intervalDays: input.intervalDays, reminderDays, rescheduled: pulledIn.length, identityIds: pulledIn },
    });
    return { kind: k, intervalDays: input.intervalDays, reminderDays, rescheduled: pulledIn.length };
  });
}

/**
 * Brings the due dates of one kind's live NHIs within the new interval of
 * their last attestation; answers which moved. Never into the past: one whose
 * new date has passed is due now, not retroactively overdue, so its owner is
 * reminded and escalation starts from today rather than skipping the manager.
 */
async function pullIn(tx: Tx, kind: (typeof nonHumanKinds)[number], intervalDays: number, now: Date) {
  const latest = sql`greatest(${identities.lastAttestedAt} + make_interval(days => ${intervalDays}), ${now.toISOString()}::timestamptz)`;
  const moved = await tx
    .update(identities)
    .set({ nextAttestationAt: sql`${latest}`, updatedAt: now })
    .where(
      and(
        eq(identities.kind, kind),
        inArray(identities.status, ["active", "disabled"]),
        isNotNull(identities.lastAttestedAt),
        gt(identities.nextAttestationAt, latest),
      ),
    )
    .returning({ id: identities.id });
  return moved.map((m) => m.id);
}
