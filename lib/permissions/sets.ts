import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { entitlements, grantActiveAt, grants, identities, systems, type PermissionStatement } from "@/db/schema";
import { literalPermissionModel, permissionModelOf, type ActionCatalogue, type PermissionModel } from "./model";

/** An entitlement's statements, read with the permission model of its system. */
type PermissionSource = { entitlementId: string; entitlementName: string; systemId: string; statements: PermissionStatement[]; model: PermissionModel };

/** Does this statement cover the action (by Action, or by not being excluded from a NotAction)? */
function covers(s: PermissionStatement, action: string, model: PermissionModel) {
  const any = (patterns: string[]) => patterns.some((p) => model.actionMatches(p, action));
  if (s.actions) return any(s.actions);
  return !!s.notActions && !any(s.notActions);
}

type Judged = { statement: PermissionStatement; model: PermissionModel; systemId: string | null };

/**
 * What an identity's cloud entitlements allow, evaluated the way IAM does for
 * identity policies taken together: an unconditional Deny on all resources in
 * any of them removes the action everywhere; otherwise the first entitlement
 * with an Allow covering it (the least privileged, then by name) is the one
 * the use is attributed to.
 */
export class PermissionSet {
  private readonly cache = new Map<string, string | null>();
  private readonly denies: Judged[];

  /**
   * `boundary`: a permissions boundary's statements, read with `boundaryModel`
   * (the identity's system's, `boundarySystemId`). An action is approved only
   * when the boundary allows it too (IAM intersects them).
   */
  constructor(
    readonly sources: PermissionSource[],
    private readonly boundary: PermissionStatement[] | null = null,
    private readonly boundaryModel: PermissionModel = literalPermissionModel,
    private readonly boundarySystemId: string | null = null,
  ) {
    const judged: Judged[] = [
      ...sources.flatMap((s) => s.statements.map((statement) => ({ statement, model: s.model, systemId: s.systemId }))),
      ...(boundary ?? []).map((statement) => ({ statement, model: boundaryModel, systemId: boundarySystemId })),
    ];
    this.denies = judged.filter(({ statement: s }) => s.effect === "Deny" && !s.conditional && s.allResources);
  }

  get empty() {
    return this.sources.length === 0;
  }

  /**
   * The entitlement approving the action, or null when nothing does. With
   * `systemId` (the system the use happened in), only that system's
   * entitlements, denies and boundary judge it: a wildcard held in one
   * system (a GitHub owner's, a superuser's) never approves a use in another.
   */
  approvalFor(action: string, systemId: string | null = null): string | null {
    const key = systemId ? `${systemId}\u0000${action}` : action;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const inScope = (id: string | null) => !systemId || id === systemId;
    let found: string | null = null;
    const bounded =
      !this.boundary || !inScope(this.boundarySystemId) || this.boundary.some((s) => s.effect === "Allow" && covers(s, action, this.boundaryModel));
    if (bounded && !this.denies.some((d) => inScope(d.systemId) && covers(d.statement, action, d.model))) {
      for (const src of this.sources) {
        if (inScope(src.systemId) && src.statements.some((s) => s.effect === "Allow" && covers(s, action, src.model))) {
          found = src.entitlementId;
          break;
        }
      }
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, found);
    return found;
  }

  /**
   * Every catalogue action approved, with the entitlement approving it.
   * Patterns are expanded here, at read time, so a `*` policy is stored once.
   * A literal action the catalogue does not know yet still counts.
   */
  granted(catalogue: ActionCatalogue): Map<string, string> {
    const candidates = new Set<string>();
    for (const src of this.sources) {
      for (const s of src.statements) {
        if (s.effect !== "Allow") continue;
        if (s.notActions) for (const a of catalogue.actions) candidates.add(a);
        for (const p of s.actions ?? []) {
          const hits = catalogue.expand(p);
          if (hits.length === 0 && !/[*?]/.test(p) && p.includes(":")) candidates.add(p);
          for (const a of hits) candidates.add(a);
        }
      }
    }
    const out = new Map<string, string>();
    for (const a of candidates) {
      const by = this.approvalFor(a);
      if (by) out.set(a, by);
    }
    return out;
  }
}

/**
 * The permission statements behind identities' grants live at a moment (now
 * by default): standing grants and JIT windows open then, never eligibility,
 * which is not access; with each identity's permissions boundary, when its
 * policy is in the inventory. Every identity asked about gets a set (an empty
 * one when nothing applies), loaded in two queries however many there are.
 */
export async function permissionSetsOf(db: Tx, identityIds: string[], at: Date = new Date()): Promise<Map<string, PermissionSet>> {
  const out = new Map<string, PermissionSet>();
  if (identityIds.length === 0) return out;
  const when = at.toISOString();
  // The ids as one parameter: a pass may ask about more identities than a statement takes parameters.
  const asked = sql`(select (jsonb_array_elements_text(${JSON.stringify(identityIds)}::jsonb))::uuid)`;
  const [rows, boundaries] = await Promise.all([
    db
      .select({
        identityId: grants.identityId,
        entitlementId: entitlements.id,
        entitlementName: entitlements.name,
        statements: entitlements.permissions,
        systemId: systems.id,
        systemKind: systems.kind,
      })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .innerJoin(systems, eq(systems.id, entitlements.systemId))
      .where(and(sql`${grants.identityId} in ${asked}`, isNotNull(entitlements.permissions), grantActiveAt(sql`${when}::timestamptz`)))
      // Least privileged first, then by name: a use is attributed to the least of the entitlements that approve it,
      // so holding admin beside read and only ever reading shows the admin entitlement unused.
      // (The privilege_level enum sorts standard, privileged, admin.)
      .orderBy(asc(entitlements.privilegeLevel), asc(entitlements.name)),
    // A permissions boundary named on the identity, found among its system's policies.
    db
      .select({ identityId: identities.id, statements: entitlements.permissions, systemId: systems.id, systemKind: systems.kind })
      .from(identities)
      .innerJoin(systems, eq(systems.id, identities.systemId))
      .innerJoin(
        entitlements,
        and(eq(entitlements.systemId, identities.systemId), eq(entitlements.externalRef, sql`${identities.attributes}->>'permissionsBoundaryArn'`)),
      )
      .where(sql`${identities.id} in ${asked}`),
  ]);
  const sourcesOf = new Map<string, Map<string, PermissionSource>>(identityIds.map((id) => [id, new Map()]));
  // In that order; an entitlement granted twice counts once.
  for (const r of rows) {
    const own = sourcesOf.get(r.identityId)!;
    if (!own.has(r.entitlementId))
      own.set(r.entitlementId, {
        entitlementId: r.entitlementId,
        entitlementName: r.entitlementName,
        systemId: r.systemId,
        statements: r.statements ?? [],
        model: permissionModelOf(r.systemKind),
      });
  }
  const boundaryOf = new Map<string, (typeof boundaries)[number]>();
  for (const b of boundaries) if (!boundaryOf.has(b.identityId)) boundaryOf.set(b.identityId, b);
  for (const [id, own] of sourcesOf) {
    const b = boundaryOf.get(id);
    out.set(id, new PermissionSet([...own.values()], b?.statements ?? null, permissionModelOf(b?.systemKind), b?.systemId ?? null));
  }
  return out;
}

/** permissionSetsOf for one identity. */
export async function permissionSetOf(db: Tx, identityId: string, at: Date = new Date()): Promise<PermissionSet> {
  return (await permissionSetsOf(db, [identityId], at)).get(identityId)!;
}
