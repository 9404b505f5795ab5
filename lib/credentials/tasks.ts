import { addDays } from "date-fns";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, Tx } from "@/db/client";
import { credentials, credentialTasks, identities } from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { readOnlyPerson } from "@/lib/caller";
import { noticeDate, notify, notifyAdmins } from "@/lib/notifications/notify";
import { emitAccessEvents } from "@/lib/revocation/outbox";
import type { RevocationSource } from "@/db/schema";

/** How long the accountable person has, by kind of work: a revocation is more urgent than a rotation. */
export const TASK_DUE_DAYS = { revoke: 7, rotate: 14 } as const;
/** Days past due at which a task climbs from the assignee's manager to the admins. */
export const ESCALATE_TO_ADMINS_AFTER_DAYS = 7;

type Work = { kind: "rotate" | "revoke"; reason: string; source: RevocationSource; sourceRef: string | null };

const owner = alias(identities, "task_owner");
const backup = alias(identities, "task_backup");

/**
 * Asks for a credential to be rotated or revoked, for every active credential
 * of these identities: one open task each (asking again changes nothing), owned
 * by the NHI's active owner (else its backup owner; else the admins), due in
 * TASK_DUE_DAYS. Downstream enforcement hears of it on the outbox, the assignee
 * is told, and each task is audited. The only way such work is asked for, so
 * whatever promises a rotation or revocation leaves a task someone can see,
 * follow to done, and that escalates when it is late.
 */
export async function requestCredentialWork(tx: Tx, actor: Actor, identityIds: string[], work: Work) {
  if (identityIds.length === 0) return [];
  const live = await tx
    .select({
      id: credentials.id,
      identityId: credentials.identityId,
      identityName: identities.name,
      type: credentials.type,
      label: credentials.label,
      assigneeId: sql<string | null>`case when ${owner.status} = 'active' then ${owner.id} when ${backup.status} = 'active' then ${backup.id} end`,
    })
    .from(credentials)
    .innerJoin(identities, eq(identities.id, credentials.identityId))
    .leftJoin(owner, eq(owner.id, identities.ownerId))
    .leftJoin(backup, eq(backup.id, identities.backupOwnerId))
    .where(and(inArray(credentials.identityId, identityIds), eq(credentials.status, "active")));
  if (live.length === 0) return [];
  const now = new Date();
  const dueAt = addDays(now, TASK_DUE_DAYS[work.kind]);
  const tasks = await tx
    .insert(credentialTasks)
    .values(live.map((c) => ({ credentialId: c.id, kind: work.kind, reason: work.reason, sourceRef: work.sourceRef, assigneeId: c.assigneeId, dueAt })))
    .onConflictDoNothing()
    .returning({ id: credentialTasks.id, credentialId: credentialTasks.credentialId });
  const fresh = new Map(tasks.map((t) => [t.credentialId, t.id]));
  const asked = live.filter((c) => fresh.has(c.id));
  const type = work.kind === "revoke" ? "credential.revocation_requested" : "credential.rotation_requested";
  await emitAccessEvents(
    tx,
    asked.map((c) => ({
      type,
      payload: {
        credentialId: c.id,
        identityId: c.identityId,
        type: c.type,
        label: c.label,
        source: work.source,
        sourceRef: work.sourceRef,
        reason: work.reason,
        taskId: fresh.get(c.id),
        dueAt: dueAt.toISOString(),
        requestedAt: now.toISOString(),
      },
    })),
  );
  await recordAudit(
    tx,
    actor,
    asked.map((c) => ({
      action: type,
      entityType: "credential",
      entityId: c.id,
      after: {
        taskId: fresh.get(c.id),
        identityId: c.identityId,
        label: c.label,
        assigneeId: c.assigneeId,
        dueAt,
        reason: work.reason,
        source: work.source,
        sourceRef: work.sourceRef,
      },
    })),
  );
  const byAssignee = new Map<string, typeof asked>();
  for (const c of asked) if (c.assigneeId) byAssignee.set(c.assigneeId, [...(byAssignee.get(c.assigneeId) ?? []), c]);
  for (const [assigneeId, list] of byAssignee) {
    await notify(tx, [assigneeId], {
      kind: `credential.${work.kind}_requested`,
      title: `${list.length} credential${list.length === 1 ? "" : "s"} to ${work.kind} by ${noticeDate(dueAt)}`,
      body: `${work.reason}: ${list
        .slice(0, 5)
        .map((c) => `${c.identityName} (${c.label})`)
        .join(", ")}${list.length > 5 ? "…" : ""}`,
      link: `/identities/${list[0].identityId}`,
    });
  }
  const unowned = asked.length - [...byAssignee.values()].reduce((n, l) => n + l.length, 0);
  if (unowned > 0)
    await notifyAdmins(tx, {
      kind: `credential.${work.kind}_requested`,
      title: `${unowned} credential${unowned === 1 ? "" : "s"} with nobody to ${work.kind} them`,
      body: work.reason,
      link: "/admin/credentials",
    });
  return tasks;
}

/** Closes a credential's open tasks of these kinds as done, by whom, and returns them. */
export async function completeTasks(tx: Tx, credentialId: string, kinds: ("rotate" | "revoke")[], doneById: string | null) {
  const now = new Date();
  return tx
    .update(credentialTasks)
    .set({ status: "done", doneAt: now, doneById, updatedAt: now })
    .where(and(eq(credentialTasks.credentialId, credentialId), inArray(credentialTasks.kind, kinds), eq(credentialTasks.status, "open")))
    .returning({ id: credentialTasks.id, kind: credentialTasks.kind });
}

const ESCALATION_LOCK = 7244102;
const assigneeManager = alias(identities, "assignee_manager");
const assignee = alias(identities, "assignee");

/**
 * Overdue tasks climb one rung per run: past due, to the assignee's manager
 * (an active person who may decide); ESCALATE_TO_ADMINS_AFTER_DAYS later, or
 * with no such manager, to the admins. Each rung is taken once, so a second run
 * changes nothing.
 */
export async function escalateOverdueCredentialTasks(db: Db, now: Date = new Date()) {
  const adminCutoff = addDays(now, -ESCALATE_TO_ADMINS_AFTER_DAYS);
  return auditedTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ESCALATION_LOCK})`);
    const overdue = await tx
      .select({
        id: credentialTasks.id,
        credentialId: credentialTasks.credentialId,
        kind: credentialTasks.kind,
        dueAt: credentialTasks.dueAt,
        level: credentialTasks.escalationLevel,
        managerId: sql<
          string | null
        >`case when ${assigneeManager.status} = 'active' and not ${readOnlyPerson(sql`${assigneeManager.id}`)} then ${assigneeManager.id} end`,
      })
      .from(credentialTasks)
      .leftJoin(assignee, eq(assignee.id, credentialTasks.assigneeId))
      .leftJoin(assigneeManager, eq(assigneeManager.id, assignee.managerId))
      .where(and(eq(credentialTasks.status, "open"), lt(credentialTasks.dueAt, now), lt(credentialTasks.escalationLevel, 2)));
    const climbs = overdue
      .map((t) => {
        const toAdmins = t.dueAt < adminCutoff || !t.managerId;
        const level = toAdmins ? 2 : 1;
        return level > t.level ? { ...t, to: level, escalatedToId: toAdmins ? null : t.managerId } : null;
      })
      .filter((t): t is NonNullable<typeof t> => !!t);
    for (const t of climbs) {
      await tx
        .update(credentialTasks)
        .set({ escalationLevel: t.to, escalatedToId: t.escalatedToId, escalatedAt: now, updatedAt: now })
        .where(eq(credentialTasks.id, t.id));
    }
    await recordAudit(
      tx,
      SYSTEM_ACTOR,
      climbs.map((t) => ({
        action: "credential_task.escalated",
        entityType: "credential",
        entityId: t.credentialId,
        before: { escalationLevel: t.level },
        after: {
          taskId: t.id,
          kind: t.kind,
          escalationLevel: t.to,
          escalatedToId: t.escalatedToId,
          daysOverdue: Math.floor((now.getTime() - t.dueAt.getTime()) / 86_400_000),
        },
      })),
    );
    const perManager = new Map<string, number>();
    for (const t of climbs) if (t.escalatedToId) perManager.set(t.escalatedToId, (perManager.get(t.escalatedToId) ?? 0) + 1);
    const notice = (n: number, whose: string) => ({
      kind: "credential.task_escalated" as const,
      title: `${n} overdue credential ${n === 1 ? "task" : "tasks"} escalated to ${whose}`,
      body: "A rotation or revocation is late. See it done, or mark it done where it already is.",
      link: "/admin/credentials",
    });
    for (const [managerId, n] of perManager) await notify(tx, [managerId], { ...notice(n, "you"), link: "/credentials" });
    const toAdmins = climbs.filter((t) => !t.escalatedToId).length;
    if (toAdmins > 0) await notifyAdmins(tx, notice(toAdmins, "the admins"));
    return { escalated: climbs.length, toManager: climbs.length - toAdmins, toAdmins };
  });
}
