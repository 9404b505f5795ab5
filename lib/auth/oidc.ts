import { z } from "zod";
import type { Tx } from "@/db/client";
import { identities, roles, type Role } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { findHumanByEmail } from "@/lib/caller";

export type OidcSettings = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  rolesClaim: string;
};

/** OpenID Connect is on when its three variables are set. */
export function oidcSettings(env: Record<string, string | undefined> = process.env): OidcSettings | null {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return null;
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    name: env.OIDC_NAME ?? "Single sign-on",
    rolesClaim: env.OIDC_ROLES_CLAIM ?? "roles",
  };
}

/** Known roles named in the claim; unknown names are ignored, not trusted. */
export function rolesFromClaim(profile: Record<string, unknown>, claim: string): Role[] {
  const raw = profile[claim];
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(/[\s,]+/) : [];
  return list.filter((r): r is Role => typeof r === "string" && (roles as readonly string[]).includes(r));
}

const profileSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
  email_verified: z.boolean().optional(),
});

/**
 * Maps an OIDC sign-in to a person in the inventory by email, creating the
 * person on first sign-in. Returns null when the person may not sign in.
 */
export async function identityForOidcProfile(db: Tx, issuer: string, rawProfile: unknown): Promise<string | null> {
  const parsed = profileSchema.safeParse(rawProfile);
  if (!parsed.success || parsed.data.email_verified === false) return null;
  const { email, name } = parsed.data;
  const existing = await findHumanByEmail(db, email);
  if (existing) return existing.status === "active" ? existing.id : null;
  return auditedTransaction(db, async (tx) => {
    const [created] = await tx
      .insert(identities)
      .values({ kind: "human", name: email.toLowerCase(), displayName: name ?? email, email: email.toLowerCase(), status: "active" })
      .returning();
    await recordAudit(
      tx,
      { id: null, label: `oidc:${issuer}` },
      {
        action: "identity.created",
        entityType: "identity",
        entityId: created.id,
        after: { kind: created.kind, email: created.email, displayName: created.displayName, source: "oidc-first-sign-in" },
      },
    );
    return created.id;
  });
}
