import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { entitlements, grants, identities, type PermissionStatement } from "@/db/schema";
import { actionMatches, type ActionCatalogue } from "@/lib/ingest/aws/catalogue";

export type PermissionSource = { entitlementId: string; entitlementName: string; statements: PermissionStatement[] };

const matchesAny = (patterns: string[], action: string) => patterns.some((p) => actionMatches(p, action));

/** Does this statement cover the action (by Action, or by not being excluded from a NotAction)? */
function covers(s: PermissionStatement, action: string) {
  if (s.actions) return matchesAny(s.actions, action);
  return !!s.notActions && !matchesAny(s.notActions, action);
}

/**
 * What an identity's cloud entitlements allow, evaluated the way IAM does for
 * identity policies taken together: an unconditional Deny on all resources in
 * any of them removes the action everywhere; otherwise the first entitlement
 * with an Allow covering it is the one the use is attributed to.
 */
export class PermissionSet {
  private readonly cache = new Map<string, string | null>();
  private readonly denies: PermissionStatement[];

  /**
   * `boundary`: a permissions boundary's statements. An action is approved
   * only when the boundary allows it too (IAM intersects them).
   */
  constructor(
    readonly sources: PermissionSource[],
    private readonly boundary: PermissionStatement[] | null = null,
  ) {
    this.denies = [...sources.flatMap((s) => s.statements), ...(boundary ?? [])].filter((s) => s.effect === "Deny" && !s.conditional && s.allResources);
  }

  get empty() {
    return this.sources.length === 0;
  }

  /** The entitlement approving the action, or null when nothing does. */
  approvalFor(action: string): string | null {
    const hit = this.cache.get(action);
    if (hit !== undefined) return hit;
    let found: string | null = null;
    const bounded = !this.boundary || this.boundary.some((s) => s.effect === "Allow" && covers(s, action));
    if (bounded && !this.denies.some((d) => covers(d, action))) {
      for (const src of this.sources) {
        if (src.statements.some((s) => s.effect === "Allow" && covers(s, action))) {
          found = src.entitlementId;
          break;
        }
      }
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(action, found);
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
 * The permission statements behind an identity's grants live at a moment
 * (now by default): standing grants and JIT windows open then, never
 * eligibility, which is not access.
 */
export async function permissionSetOf(db: Tx, identityId: string, at: Date = new Date()): Promise<PermissionSet> {
  const rows = await db
    .select({ entitlementId: entitlements.id, entitlementName: entitlements.name, statements: entitlements.permissions })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(
      and(
        eq(grants.identityId, identityId),
        isNotNull(entitlements.permissions),
        sql`${grants.type} <> 'eligible' and ${grants.startsAt} <= ${at.toISOString()}::timestamptz
          and (${grants.revokedAt} is null or ${grants.revokedAt} > ${at.toISOString()}::timestamptz) and (${grants.expiresAt} is null or ${grants.expiresAt} > ${at.toISOString()}::timestamptz)`,
      ),
    )
    .orderBy(asc(entitlements.name));
  const seen = new Set<string>();
  const sources = rows.filter((r) => !seen.has(r.entitlementId) && seen.add(r.entitlementId)).map((r) => ({ ...r, statements: r.statements ?? [] }));
  // A permissions boundary named on the identity, when its policy is in the inventory.
  const [identity] = await db.select({ attributes: identities.attributes, systemId: identities.systemId }).from(identities).where(eq(identities.id, identityId));
  const boundaryRef = (identity?.attributes as { permissionsBoundaryArn?: string } | undefined)?.permissionsBoundaryArn;
  let boundary: PermissionStatement[] | null = null;
  if (boundaryRef && identity.systemId) {
    const [policy] = await db.select({ permissions: entitlements.permissions }).from(entitlements).where(and(eq(entitlements.systemId, identity.systemId), eq(entitlements.externalRef, boundaryRef)));
    boundary = policy?.permissions ?? null;
  }
  return new PermissionSet(sources, boundary);
}
