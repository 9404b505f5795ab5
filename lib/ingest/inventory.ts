import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { canonicalJson } from "@/db/json";
import { entitlements, grants, identities, systems, type IdentityKind, type PermissionStatement, type PrivilegeLevel } from "@/db/schema";
import { type Actor, recordAudit } from "@/lib/audit/record";
import { ValidationError } from "@/lib/errors";
import { revokeGrants } from "@/lib/revocation/revoke";
import { createImportedGrants, decommissionImportedIdentity, updateImportedIdentity } from "./imported";

/*
 * How an import brings one system of the inventory in line with what the
 * system itself says, for sources that state it whole on every import (a
 * cluster's RBAC, an organisation's members and repositories): entitlements
 * by their ref, identities by their external id, standing grants by
 * (identity, entitlement). What is new is created, what changed is updated,
 * what is gone is retired, decommissioned or revoked; each change audited
 * with the source, in the caller's transaction.
 */

export type Counts = { created: number; updated: number; unchanged: number; removed: number };
const counts = (): Counts => ({ created: 0, updated: 0, unchanged: 0, removed: 0 });

type SystemKind = (typeof systems.$inferSelect)["kind"];

/** The system of this kind and external id, created (and audited) the first time. */
export async function importedSystem(tx: Tx, actor: Actor, s: { kind: SystemKind; externalId: string; name: string; description: string; source: string }) {
  const [found] = await tx
    .select()
    .from(systems)
    .where(and(eq(systems.kind, s.kind), eq(systems.externalId, s.externalId)));
  if (found) return { system: found, created: false };
  const [taken] = await tx.select().from(systems).where(eq(systems.name, s.name));
  // A system of the same kind entered by hand (or by the demo) under this name is this one: the import adopts it.
  if (taken?.kind === s.kind && !taken.externalId) {
    await tx.update(systems).set({ externalId: s.externalId }).where(eq(systems.id, taken.id));
    await recordAudit(tx, actor, {
      action: "system.linked",
      entityType: "system",
      entityId: taken.id,
      before: { externalId: null },
      after: { externalId: s.externalId, source: s.source },
    });
    return { system: { ...taken, externalId: s.externalId }, created: false };
  }
  if (taken) throw new ValidationError({ system: [`A system named ${s.name} exists and is not ${s.description}.`] });
  const [system] = await tx.insert(systems).values({ name: s.name, kind: s.kind, externalId: s.externalId, description: s.description }).returning();
  await recordAudit(tx, actor, {
    action: "system.created",
    entityType: "system",
    entityId: system.id,
    after: { name: s.name, kind: s.kind, externalId: s.externalId, source: s.source },
  });
  return { system, created: true };
}

/**
 * The name a new entitlement of a system takes: its own, or with a suffix
 * when another entitlement of the system (another ref, one made by hand)
 * holds it. `taken` maps the system's names, lower-cased, to their refs.
 */
export function freeName(taken: Map<string, string | null>, name: string, ref: string): string {
  let free = name;
  for (let i = 2; taken.has(free.toLowerCase()) && taken.get(free.toLowerCase()) !== ref; i++) free = `${name} (${i})`;
  taken.set(free.toLowerCase(), ref);
  return free;
}

export type DesiredEntitlement = { ref: string; name: string; description: string; statements: PermissionStatement[]; level: PrivilegeLevel };

/** The system's entitlements as desired, by ref; those no longer desired keep their rows, with no permissions left. Answers each ref's id. */
export async function syncEntitlements(tx: Tx, actor: Actor, systemId: string, desired: Iterable<DesiredEntitlement>, source: string, at: Date) {
  const summary = counts();
  const existing = await tx.select().from(entitlements).where(eq(entitlements.systemId, systemId));
  const byRef = new Map(existing.filter((e) => e.externalRef).map((e) => [e.externalRef!, e]));
  const taken = new Map(existing.map((e) => [e.name.toLowerCase(), e.externalRef]));
  const idByRef = new Map<string, string>();
  for (const d of desired) {
    const current = byRef.get(d.ref);
    if (!current) {
      const name = freeName(taken, d.name, d.ref);
      const [row] = await tx
        .insert(entitlements)
        .values({ systemId, name, description: d.description, privilegeLevel: d.level, externalRef: d.ref, permissions: d.statements })
        .returning({ id: entitlements.id });
      idByRef.set(d.ref, row.id);
      summary.created++;
      await recordAudit(tx, actor, {
        action: "entitlement.created",
        entityType: "entitlement",
        entityId: row.id,
        after: { name, externalRef: d.ref, privilegeLevel: d.level, source },
      });
      continue;
    }
    idByRef.set(d.ref, current.id);
    if (canonicalJson(current.permissions) === canonicalJson(d.statements) && current.privilegeLevel === d.level && current.description === d.description) {
      summary.unchanged++;
      continue;
    }
    await tx
      .update(entitlements)
      .set({ permissions: d.statements, privilegeLevel: d.level, description: d.description, updatedAt: at })
      .where(eq(entitlements.id, current.id));
    summary.updated++;
    await recordAudit(tx, actor, {
      action: "entitlement.updated",
      entityType: "entitlement",
      entityId: current.id,
      before: { privilegeLevel: current.privilegeLevel, permissions: current.permissions },
      after: { privilegeLevel: d.level, permissions: d.statements, source },
    });
  }
  for (const e of existing) {
    if (!e.externalRef || idByRef.has(e.externalRef) || (e.permissions?.length ?? 0) === 0) continue;
    await tx.update(entitlements).set({ permissions: [], updatedAt: at }).where(eq(entitlements.id, e.id));
    await recordAudit(tx, actor, {
      action: "entitlement.retired",
      entityType: "entitlement",
      entityId: e.id,
      before: { permissions: e.permissions },
      after: { permissions: [], source },
    });
    summary.removed++;
  }
  return { idByRef, summary };
}

export type DesiredIdentity = {
  externalId: string;
  kind: IdentityKind;
  name: string;
  displayName: string;
  purpose: string | null;
  ownerId: string | null;
  attributes: Record<string, unknown>;
  createdAt: Date | null;
};

/**
 * The system's identities as desired, by external id: new ones created (NHIs
 * with an attestation due now), changed ones updated (an owner is set, never
 * taken away), those this source brought in and no longer desired decommissioned. Answers each external
 * id's identity.
 */
export async function syncIdentities(
  tx: Tx,
  actor: Actor,
  systemId: string,
  desired: Iterable<DesiredIdentity>,
  from: { source: string; goneReason: string; at: Date },
) {
  const { source, at } = from;
  const summary = counts();
  const existing = await tx.select().from(identities).where(eq(identities.systemId, systemId));
  const byExternalId = new Map(existing.filter((i) => i.externalId).map((i) => [i.externalId!, i]));
  const idOf = new Map<string, string>();
  for (const d of desired) {
    // An identity listed twice (overlapping exports) is one identity: the first listing counts.
    if (idOf.has(d.externalId)) continue;
    const current = byExternalId.get(d.externalId);
    if (!current) {
      const [row] = await tx
        .insert(identities)
        .values({
          kind: d.kind,
          name: d.name,
          displayName: d.displayName,
          externalId: d.externalId,
          systemId,
          ownerId: d.ownerId,
          purpose: d.purpose,
          attributes: d.attributes,
          nextAttestationAt: d.kind === "human" ? null : at,
          createdAt: d.createdAt ?? at,
          updatedAt: at,
        })
        .returning({ id: identities.id });
      idOf.set(d.externalId, row.id);
      summary.created++;
      await recordAudit(tx, actor, {
        action: "identity.created",
        entityType: "identity",
        entityId: row.id,
        after: { kind: d.kind, name: d.name, externalId: d.externalId, ownerId: d.ownerId, source },
      });
      continue;
    }
    idOf.set(d.externalId, current.id);
    const changes: Partial<typeof identities.$inferInsert> = {};
    if (current.kind !== d.kind) changes.kind = d.kind;
    if (current.name !== d.name) changes.name = d.name;
    if (canonicalJson(current.attributes) !== canonicalJson(d.attributes)) changes.attributes = d.attributes;
    if (d.purpose && current.purpose !== d.purpose) changes.purpose = d.purpose;
    if (d.ownerId && !current.ownerId) changes.ownerId = d.ownerId;
    if (current.status !== "active") changes.status = "active";
    if (Object.keys(changes).length === 0) {
      summary.unchanged++;
      continue;
    }
    await updateImportedIdentity(tx, actor, current, changes, source, at);
    summary.updated++;
  }
  for (const i of existing) {
    // Only what this source brought in leaves with it: an identity entered by hand in an adopted system stays.
    if (!i.externalId || idOf.has(i.externalId) || i.status !== "active" || (i.attributes as { source?: unknown } | null)?.source !== source) continue;
    await decommissionImportedIdentity(tx, actor, i, from.goneReason, source, at);
    summary.removed++;
  }
  return { idOf, summary };
}

/**
 * The standing grants on the system's entitlements as the system holds them:
 * new ones created as imported (held since `startsAt` when the system says),
 * those this source had found and no longer shows revoked. A grant approved
 * here (a JIT conversion, a manual grant in an adopted system) is not the
 * import's to end: the connector reports it as missing in the target.
 */
export async function syncGrants(
  tx: Tx,
  actor: Actor,
  systemId: string,
  wanted: { identityId: string; entitlementId: string; startsAt?: Date }[],
  from: { source: string; ref: string; reason: string; endReason: string; at: Date },
) {
  const live = await tx
    .select({
      id: grants.id,
      identityId: grants.identityId,
      entitlementId: grants.entitlementId,
      // Found by this source (whatever was decided about it since): only those end when the source no longer shows them.
      imported: sql<boolean>`exists (select 1 from grant_decisions d where d.grant_id = ${grants.id} and d.kind = 'imported' and d.ref = ${from.ref})`,
    })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(and(eq(entitlements.systemId, systemId), isNull(grants.revokedAt), eq(grants.type, "standing")));
  const liveKeys = new Set(live.map((g) => `${g.identityId}|${g.entitlementId}`));
  const wantedKeys = new Set<string>();
  const toAdd: typeof wanted = [];
  let kept = 0;
  for (const g of wanted) {
    const key = `${g.identityId}|${g.entitlementId}`;
    if (wantedKeys.has(key)) continue;
    wantedKeys.add(key);
    if (liveKeys.has(key)) kept++;
    else toAdd.push(g);
  }
  const added = await createImportedGrants(tx, actor, toAdd, from);
  const ended = await revokeGrants(
    tx,
    actor,
    live.filter((g) => g.imported && !wantedKeys.has(`${g.identityId}|${g.entitlementId}`)).map((g) => g.id),
    { source: "lifecycle", sourceRef: from.ref, reason: from.endReason },
  );
  return { added: added.length, kept, removed: ended.length };
}
