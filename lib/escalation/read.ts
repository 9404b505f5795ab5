import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { entitlements, grantIsActive, grants, identities, identityEscalations, identityPrivilegeLevel, type PrivilegeLevel } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { SERVICE_ACCOUNT_PREFIX } from "@/lib/permissions/k8s/users";
import type { Step } from "./analyze";
import { shortName, stepView, type StepView } from "./steps";

export { stepView, type StepView };

export type Escalation = {
  /** When the analysis last looked; null when it never analysed this identity (not an imported cloud identity). */
  computedAt: Date | null;
  privilegeLevel: PrivilegeLevel | null;
  holdsAdmin: boolean;
  reachesAdmin: boolean;
  conditional: boolean;
  /** Each target it can reach with the shortest way there; today one: administrator. */
  escalation: { target: "admin"; steps: StepView[] }[];
  reachable: { count: number; roles: { id: string; name: string }[] };
  /** The product's identity for each principal ARN the path names, to link to. */
  identityIds: Record<string, string>;
};

/**
 * The identities a path names: ARNs are unique; a Kubernetes service
 * account's username is unique only within its cluster, the verdict's system.
 */
async function identityIdsByArn(db: Tx, arns: string[], systemId: string): Promise<Record<string, string>> {
  const wanted = [...new Set(arns.filter((a) => a.startsWith("arn:")))];
  const accounts = [...new Set(arns.filter((a) => a.startsWith(SERVICE_ACCOUNT_PREFIX)))];
  if (!wanted.length && !accounts.length) return {};
  const rows = await db
    .select({ id: identities.id, arn: identities.externalId })
    .from(identities)
    .where(
      or(
        wanted.length ? inArray(identities.externalId, wanted) : undefined,
        accounts.length ? and(eq(identities.systemId, systemId), inArray(identities.externalId, accounts)) : undefined,
      ),
    );
  return Object.fromEntries(rows.map((r) => [r.arn!, r.id]));
}

async function levelFromGrants(db: Tx, identityId: string): Promise<PrivilegeLevel | null> {
  const [row] = await db
    .select({ level: sql<PrivilegeLevel | null>`max(${entitlements.privilegeLevel})` })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(and(eq(grants.identityId, identityId), grantIsActive));
  return row?.level ?? null;
}

/** The analysis's verdict on one identity, for whoever may see the identity (the CLI passes no caller). */
export async function escalationOf(db: Tx, caller: Caller | null, identityId: string): Promise<Escalation> {
  if (caller) await getVisibleIdentity(db, caller, identityId);
  const [row] = await db.select().from(identityEscalations).where(eq(identityEscalations.identityId, identityId));
  if (!row)
    return {
      computedAt: null,
      privilegeLevel: await levelFromGrants(db, identityId),
      holdsAdmin: false,
      reachesAdmin: false,
      conditional: false,
      escalation: [],
      reachable: { count: 0, roles: [] },
      identityIds: {},
    };
  const steps = row.reachesAdmin ? (row.path as Step[]).map(stepView) : [];
  const roles = row.reachableIds.length
    ? await db.select({ id: identities.id, name: identities.name }).from(identities).where(inArray(identities.id, row.reachableIds)).orderBy(identities.name)
    : [];
  return {
    computedAt: row.computedAt,
    // The verdict, raised by what it holds where no analysis looks (a person's GitHub admin role).
    privilegeLevel:
      (await queryRows<{ level: PrivilegeLevel }>(db, sql`select ${identityPrivilegeLevel(sql`${identityId}::uuid`)} as level`))[0]?.level ??
      row.privilegeLevel,
    holdsAdmin: row.holdsAdmin,
    reachesAdmin: row.reachesAdmin,
    conditional: row.pathConditional,
    escalation: row.reachesAdmin ? [{ target: "admin", steps }] : [],
    reachable: { count: row.reachableCount, roles },
    identityIds: await identityIdsByArn(
      db,
      steps.flatMap((s) => [s.from, s.to]),
      row.systemId,
    ),
  };
}

/** Every analysed identity that can reach administrator access, those that escalate (rather than hold it) first. */
export async function pathsToAdmin(db: Tx, opts: { limit?: number; pathClass?: string } = {}) {
  const rows = await db
    .select({
      id: identities.id,
      name: identities.name,
      kind: identities.kind,
      arn: identities.externalId,
      level: identityEscalations.privilegeLevel,
      holdsAdmin: identityEscalations.holdsAdmin,
      conditional: identityEscalations.pathConditional,
      pathClass: identityEscalations.pathClass,
      path: identityEscalations.path,
      computedAt: identityEscalations.computedAt,
    })
    .from(identityEscalations)
    .innerJoin(identities, eq(identities.id, identityEscalations.identityId))
    .where(and(eq(identityEscalations.reachesAdmin, true), opts.pathClass ? eq(identityEscalations.pathClass, opts.pathClass) : undefined))
    .orderBy(identityEscalations.holdsAdmin, identityEscalations.pathConditional, desc(sql`jsonb_array_length(${identityEscalations.path})`), identities.name)
    .limit(opts.limit ?? 10_000);
  return rows.map((r) => ({ ...r, steps: (r.path as Step[]).map(stepView), path: undefined }));
}

/** What a reviewer or approver is shown of an identity's verdict, in one line. */
export type EscalationEvidence = {
  level: PrivilegeLevel;
  holdsAdmin: boolean;
  reachesAdmin: boolean;
  conditional: boolean;
  /** The path's first step, as people read it; null when it holds admin itself or reaches nothing. */
  via: string | null;
  /** Steps after the first. */
  moreSteps: number;
  summary: string | null;
};

export function evidenceOf(row: {
  privilegeLevel: PrivilegeLevel;
  holdsAdmin: boolean;
  reachesAdmin: boolean;
  pathConditional: boolean;
  path: unknown;
}): EscalationEvidence {
  const steps = row.path as Step[];
  const first = row.reachesAdmin && !row.holdsAdmin && steps.length ? stepView(steps[0]) : null;
  const via = first
    ? `${first.actions
        .map((a) => a.action)
        .filter((a, i, all) => all.indexOf(a) === i)
        .join(" + ")}${first.to.startsWith("arn:") ? ` to ${shortName(first.to)}` : ""}`
    : null;
  const more = first ? steps.length - 1 : 0;
  const summary = row.holdsAdmin
    ? "holds administrator access"
    : row.reachesAdmin
      ? `${row.pathConditional ? "may escalate" : "can escalate"} to admin via ${via}${more ? ` (+${more} step${more === 1 ? "" : "s"})` : ""}`
      : null;
  return {
    level: row.privilegeLevel,
    holdsAdmin: row.holdsAdmin,
    reachesAdmin: row.reachesAdmin,
    conditional: row.pathConditional,
    via,
    moreSteps: more,
    summary,
  };
}

/** The verdicts of these identities, for lists that show one per row (review items, approvals); unanalysed ones are absent. */
export async function escalationEvidence(db: Tx, identityIds: string[]): Promise<Map<string, EscalationEvidence>> {
  const ids = [...new Set(identityIds)];
  if (!ids.length) return new Map();
  const rows = await db
    .select({
      identityId: identityEscalations.identityId,
      privilegeLevel: identityEscalations.privilegeLevel,
      holdsAdmin: identityEscalations.holdsAdmin,
      reachesAdmin: identityEscalations.reachesAdmin,
      pathConditional: identityEscalations.pathConditional,
      path: identityEscalations.path,
    })
    .from(identityEscalations)
    .where(inArray(identityEscalations.identityId, ids));
  return new Map(rows.map((r) => [r.identityId, evidenceOf(r)]));
}
