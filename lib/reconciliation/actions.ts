import { subDays } from "date-fns";
import { and, eq, gte, lte, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { dataEventDays, entitlements, grantActiveAt, grants, identities, systems } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, parseInput } from "@/lib/errors";
import { escalationOf } from "@/lib/escalation/read";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { NO_ACTIONS, permissionModelOf } from "@/lib/permissions/model";
import { permissionSetOf } from "@/lib/permissions/sets";
import { dateTime, text } from "@/lib/validation/fields";
import { roleOfArn } from "@/lib/permissions/aws/match";

export const DEFAULT_WINDOW_DAYS = Number(process.env.RECONCILIATION_WINDOW_DAYS ?? 90);

export const actionStatuses = ["used", "unused", "unapproved", "denied", "unobservable"] as const;
export type ActionStatus = (typeof actionStatuses)[number];

export type ActionRow = {
  action: string;
  status: ActionStatus;
  count: number;
  deniedCount: number;
  lastUsed: string | null;
  /** The entitlement approving the action, by name (none for unapproved). */
  approvedBy: string | null;
  /** Why an unobservable action proves nothing: "data-event" or "permission-only". */
  reason?: string;
};

export const reconcileInput = z
  .object({
    identity: text({ message: "Name the identity: its id, name or ARN." }).trim().min(1, "Name the identity: its id, name or ARN."),
    since: dateTime("The window's start (since)").optional(),
    until: dateTime("The window's end (until)").optional(),
  })
  .refine((r) => !r.since || !r.until || r.since < r.until, { message: "The window's start (since) must be before its end (until).", path: ["since"] });

/**
 * Finds one identity by id, external id (an ARN), or name. A role's
 * assumed-role ARN (which omits the role's path) finds the role by account
 * and name; several identities with one name must be told apart.
 */
export async function findIdentity(db: Tx, ref: string) {
  const role = roleOfArn(ref);
  const columns = {
    id: identities.id,
    name: identities.name,
    displayName: identities.displayName,
    kind: identities.kind,
    status: identities.status,
    externalId: identities.externalId,
    systemId: identities.systemId,
    systemName: systems.name,
    systemKind: systems.kind,
    accountId: systems.externalId,
  };
  const isUuid = z.uuid().safeParse(ref).success;
  let rows = await db
    .select(columns)
    .from(identities)
    .leftJoin(systems, eq(systems.id, identities.systemId))
    .where(or(isUuid ? eq(identities.id, ref) : undefined, eq(identities.externalId, ref), eq(identities.name, ref)));
  if (rows.length === 0 && role) {
    rows = await db
      .select(columns)
      .from(identities)
      .innerJoin(systems, eq(systems.id, identities.systemId))
      .where(and(eq(systems.externalId, role.accountId), eq(identities.name, role.roleName)));
  }
  if (rows.length === 0) throw new NotFoundError(`Identity “${ref}”`);
  const exact = rows.filter((r) => r.id === ref || r.externalId === ref);
  if (exact.length === 1) return exact[0];
  if (rows.length > 1)
    throw new ConflictError(
      `“${ref}” names ${rows.length} identities (${rows.map((r) => `${r.name} in ${r.systemName ?? "no system"}`).join(", ")}); give its id or ARN.`,
    );
  return rows[0];
}

const ORDER: Record<ActionStatus, number> = { unapproved: 0, denied: 1, used: 2, unused: 3, unobservable: 4 };

/**
 * Action-level reconciliation of one identity over a window (90 days by
 * default): every action its cloud entitlements approve (patterns expanded
 * against AWS's catalogue now, so a `*` grant is one stored pattern) and every
 * action it attempted, each classified: used (approved and used), unused
 * (approved, not used, and the log source would have recorded it),
 * unapproved (used successfully, approved by nothing), denied (only refused
 * attempts), unobservable (approved, unused, but the source cannot record it:
 * data events the trail does not log, permission-only actions). Reads the
 * per-action daily roll-ups only.
 */
export async function reconcileIdentity(db: Tx, raw: unknown) {
  const input = parseInput(reconcileInput, raw);
  const until = input.until ?? new Date();
  const since = input.since ?? subDays(until, DEFAULT_WINDOW_DAYS);
  const identity = await findIdentity(db, input.identity);
  // The identity's system says how its actions are named, catalogued and logged.
  const model = permissionModelOf(identity.systemKind);
  const [catalogue, permissions, usage, dataDays, escalation] = await Promise.all([
    model.catalogue?.() ?? NO_ACTIONS,
    permissionSetOf(db, identity.id, until),
    queryRows<{ action: string; success: number; denied: number; last_success: string | null }>(
      db,
      sql`select action, sum(success_count)::int as success, sum(denied_count)::int as denied,
            max(last_success_at) as last_success
          from usage_action_daily
          where identity_id = ${identity.id} and day >= ${since.toISOString().slice(0, 10)}::date and day <= ${until.toISOString().slice(0, 10)}::date
          group by action`,
    ),
    identity.systemId
      ? db
          .selectDistinct({ service: dataEventDays.service })
          .from(dataEventDays)
          .where(
            and(
              eq(dataEventDays.systemId, identity.systemId),
              gte(dataEventDays.day, since.toISOString().slice(0, 10)),
              lte(dataEventDays.day, until.toISOString().slice(0, 10)),
            ),
          )
      : [],
    escalationOf(db, null, identity.id),
  ]);
  const seen = new Set(dataDays.map((d) => d.service));
  const granted = permissions.granted(catalogue);
  const names = new Map(permissions.sources.map((s) => [s.entitlementId, s.entitlementName]));
  // Identities whose access is not expressed as actions (a database role, a group in an app) are approved by the entitlement itself.
  const opaque = permissions.empty && (await hasOpaqueGrants(db, identity.id, until));
  // Seconds, as CloudTrail records time.
  const iso = (v: string | Date | null) => (v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, "Z") : null);

  const rows = new Map<string, ActionRow>();
  for (const u of usage) {
    const action = catalogue.canonical(u.action) ?? u.action;
    const approvedBy = granted.get(action) ?? permissions.approvalFor(action);
    const status: ActionStatus = u.success > 0 ? (approvedBy || opaque ? "used" : "unapproved") : "denied";
    rows.set(action, {
      action,
      status,
      count: u.success,
      deniedCount: u.denied,
      lastUsed: iso(u.last_success),
      approvedBy: approvedBy ? (names.get(approvedBy) ?? null) : null,
    });
  }
  for (const [action, by] of granted) {
    if (rows.has(action)) continue;
    const o = model.observability(action, seen);
    rows.set(action, {
      action,
      status: o === "observable" ? "unused" : "unobservable",
      count: 0,
      deniedCount: 0,
      lastUsed: null,
      approvedBy: names.get(by) ?? null,
      ...(o === "observable" ? {} : { reason: o }),
    });
  }
  const actions = [...rows.values()].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.action.localeCompare(b.action));
  const count = (s: ActionStatus) => actions.filter((a) => a.status === s).length;
  const observableGranted = count("used") + count("unused");
  return {
    identity: {
      id: identity.id,
      name: identity.name,
      kind: identity.kind,
      status: identity.status,
      arn: identity.externalId,
      system: identity.systemName,
      accountId: identity.accountId,
      // From its effective access and what it can reach, not from the names of its policies.
      privilegeLevel: escalation.privilegeLevel,
      escalation: escalation.escalation,
      reachableRoles: escalation.reachable,
    },
    since: iso(since),
    until: iso(until),
    actions,
    summary: {
      approved: granted.size,
      used: count("used"),
      unused: count("unused"),
      unapproved: count("unapproved"),
      denied: count("denied"),
      unobservable: count("unobservable"),
      // Of what approved access could have been seen, the share never used.
      unusedShare: observableGranted ? Math.floor((100 * count("unused")) / observableGranted) : 0,
      entitlements: permissions.sources.map((s) => s.entitlementName),
      catalogueVersion: catalogue.version,
    },
  };
}
export type Reconciliation = Awaited<ReturnType<typeof reconcileIdentity>>;

/**
 * reconcileIdentity for a caller: whoever may see the identity may see how its
 * access was used; one they may not see is not found. (The CLI, run by an
 * operator on the database itself, calls reconcileIdentity directly.)
 */
export async function reconcileVisibleIdentity(db: Tx, caller: Caller, identityId: string, window: { since?: string; until?: string }) {
  await getVisibleIdentity(db, caller, identityId);
  return reconcileIdentity(db, { identity: identityId, since: window.since || undefined, until: window.until || undefined });
}

async function hasOpaqueGrants(db: Tx, identityId: string, at: Date) {
  const rows = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from grants g join ${entitlements} e on e.id = g.entitlement_id
        where g.identity_id = ${identityId} and e.permissions is null and ${grantActiveAt(at, alias(grants, "g"))}`,
  );
  return rows[0].n > 0;
}
