import { randomUUID } from "node:crypto";
import { and, eq, inArray, lt, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, Tx } from "@/db/client";
import { attestations, identities } from "@/db/schema";
import { notify, notifyAdmins } from "@/lib/notifications/notify";
import { SYSTEM_ACTOR, auditedTransaction, recordAudit, type AuditEntry } from "@/lib/audit/record";
import { readOnlyPerson } from "@/lib/caller";
import { ESCALATE_TO_ADMINS_AFTER_DAYS, ESCALATE_TO_MANAGER_AFTER_DAYS, daysAfter, isOpenAttestation } from "./policy";

const owner = alias(identities, "owner");
const manager = alias(identities, "manager");
const open = alias(attestations, "open_attestation");

// Two escalation runs at once (two app instances, or the CLI beside the app)
// would both see "not yet escalated" and both insert; one lock serialises them.
const ESCALATION_LOCK = 7244101;

/** One notice per person with how many attestations just landed on them, not one per NHI. */
async function notifyEscalations(tx: Tx, audits: AuditEntry[]) {
  const perManager = new Map<string, number>();
  let toAdmins = 0;
  for (const a of audits) {
    const to = (a.after as { escalatedToId: string | null }).escalatedToId;
    if (to) perManager.set(to, (perManager.get(to) ?? 0) + 1);
    else toAdmins++;
  }
  const notice = (n: number, whose: string) => ({
    kind: "attestation.escalated" as const,
    title: `${n} overdue NHI ${n === 1 ? "attestation" : "attestations"} escalated to ${whose}`,
    body: "Their owners have not attested in time. Attest, reassign or decommission them.",
    link: "/attestations",
  });
  for (const [managerId, n] of perManager) await notify(tx, [managerId], notice(n, "you"));
  if (toAdmins > 0) await notifyAdmins(tx, notice(toAdmins, "the admins"));
}

export type EscalationSummary = { toManager: number; toAdmins: number; escalated: number };

/**
 * Overdue attestations climb a ladder: more than 14 days overdue goes to the
 * owner's manager, more than 28 days (or no active manager to ask) to the
 * admins. Each step is taken once: an attestation already at or above the
 * level it qualifies for is left alone, so a second run changes nothing.
 * Disabled NHIs count too: they keep their access until decommissioned.
 */
export async function escalateOverdueAttestations(db: Db, now: Date = new Date()): Promise<EscalationSummary> {
  const managerCutoff = daysAfter(now, -ESCALATE_TO_MANAGER_AFTER_DAYS);
  const adminCutoff = daysAfter(now, -ESCALATE_TO_ADMINS_AFTER_DAYS);
  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ESCALATION_LOCK})`);
    const candidates = await tx
      .select({
        identityId: identities.id,
        ownerId: identities.ownerId,
        nextAttestationAt: identities.nextAttestationAt,
        managerId: manager.id,
        // A read-only manager (an auditor) is skipped: the admins decide instead.
        managerActive: sql<boolean>`coalesce(${manager.status} = 'active' and ${manager.kind} = 'human' and not ${readOnlyPerson(sql`${manager.id}`)}, false)`,
        openId: open.id,
        openStatus: open.status,
        openLevel: open.escalationLevel,
        openEscalatedToId: open.escalatedToId,
      })
      .from(identities)
      .leftJoin(owner, eq(owner.id, identities.ownerId))
      .leftJoin(manager, eq(manager.id, owner.managerId))
      .leftJoin(open, and(eq(open.identityId, identities.id), inArray(open.status, ["pending", "escalated"])))
      .where(and(ne(identities.kind, "human"), inArray(identities.status, ["active", "disabled"]), lt(identities.nextAttestationAt, managerCutoff)))
      // Attesting and reassigning lock the identity too: an NHI attested while
      // this runs is either seen as attested or waits, never re-escalated.
      .for("update", { of: identities });

    const inserts: (typeof attestations.$inferInsert)[] = [];
    const audits: AuditEntry[] = [];
    const summary: EscalationSummary = { toManager: 0, toAdmins: 0, escalated: 0 };
    for (const c of candidates) {
      const dueAt = c.nextAttestationAt!;
      const toAdmins = dueAt < adminCutoff || !c.managerId || !c.managerActive;
      const level = toAdmins ? 2 : 1;
      if ((c.openLevel ?? 0) >= level) continue;
      const escalatedToId = toAdmins ? null : c.managerId;
      const daysOverdue = Math.floor((now.getTime() - dueAt.getTime()) / 86_400_000);
      const after = { identityId: c.identityId, status: "escalated", escalationLevel: level, escalatedToId, daysOverdue, dueAt };
      if (c.openId) {
        const moved = await tx
          .update(attestations)
          .set({ status: "escalated", escalationLevel: level, escalatedToId, updatedAt: new Date() })
          .where(and(eq(attestations.id, c.openId), isOpenAttestation))
          .returning({ id: attestations.id });
        if (moved.length === 0) continue;
        audits.push({
          action: "attestation.escalated",
          entityType: "attestation",
          entityId: c.openId,
          before: { status: c.openStatus, escalationLevel: c.openLevel, escalatedToId: c.openEscalatedToId },
          after,
        });
      } else {
        const id = randomUUID();
        inserts.push({ id, identityId: c.identityId, ownerId: c.ownerId, status: "escalated", dueAt, escalationLevel: level, escalatedToId });
        audits.push({ action: "attestation.escalated", entityType: "attestation", entityId: id, before: null, after });
      }
      summary[toAdmins ? "toAdmins" : "toManager"] += 1;
      summary.escalated += 1;
    }
    for (let i = 0; i < inserts.length; i += 1000) await tx.insert(attestations).values(inserts.slice(i, i + 1000));
    await recordAudit(tx, SYSTEM_ACTOR, audits);
    await notifyEscalations(tx, audits);
    return summary;
  });
}
