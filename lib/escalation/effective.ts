import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { awsServiceControlPolicies, entitlements, grantIsActive, grants } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { READ_ONLY_MANAGED } from "@/lib/permissions/aws/privilege";
import { effectiveStatements, type EffectiveStatement } from "@/lib/permissions/aws/effective";
import type { PolicySource } from "@/lib/permissions/aws/evaluate";
import { accountOf } from "@/lib/permissions/aws/match";

/**
 * One cloud identity's effective permissions, statement by statement, for
 * whoever may see it: every Allow of its live grants with the resources and
 * conditions as written, and whether a deny, its boundary or an SCP removes it.
 * Null for identities whose access is not expressed as policies.
 */
export async function effectivePermissionsOf(db: Tx, caller: Caller, identityId: string): Promise<{ statements: EffectiveStatement[] } | null> {
  const { identity } = await getVisibleIdentity(db, caller, identityId);
  const attributes = identity.attributes as { iamType?: "user" | "role"; permissionsBoundaryArn?: string };
  if (!identity.externalId?.startsWith("arn:") || !identity.systemId) return null;
  const held = await db
    .select({ ref: entitlements.externalRef, name: entitlements.name, statements: entitlements.permissions })
    .from(grants)
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(and(eq(grants.identityId, identityId), grantIsActive, sql`${entitlements.permissions} is not null`));
  if (held.length === 0) return { statements: [] };
  const [boundary] = attributes.permissionsBoundaryArn
    ? await db
        .select({ statements: entitlements.permissions })
        .from(entitlements)
        .where(and(eq(entitlements.systemId, identity.systemId), eq(entitlements.externalRef, attributes.permissionsBoundaryArn)))
    : [];
  const scpRows = await db
    .select()
    .from(awsServiceControlPolicies)
    .where(eq(awsServiceControlPolicies.systemId, identity.systemId))
    .orderBy(awsServiceControlPolicies.level);
  const scps: PolicySource[][] = [];
  for (const s of scpRows) (scps[s.level] ??= []).push({ policy: `SCP ${s.name}`, statements: s.statements });
  const accountId = accountOf(identity.externalId) ?? "";
  const statements = effectiveStatements(
    {
      arn: identity.externalId,
      accountId,
      kind: attributes.iamType === "role" ? "role" : "user",
      name: identity.name,
      identity: held.map((h) => ({
        policy: h.ref ?? h.name,
        statements: h.statements!,
        ...(h.ref && READ_ONLY_MANAGED.test(h.ref) ? { readOnly: true } : {}),
      })),
      boundary: attributes.permissionsBoundaryArn ? { policy: attributes.permissionsBoundaryArn, statements: boundary?.statements ?? [] } : null,
      scps,
    },
    new Date(),
  );
  return { statements };
}
