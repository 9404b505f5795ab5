import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { apiTokens, identities, systems, tokenScopes, type TokenScope } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { ForbiddenError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { actorOf, hasRole, requireDecider, type Caller } from "@/lib/caller";
import { integer, text } from "@/lib/validation/fields";

// Scopes an NHI's owner may hand to the NHI's own pipeline. Usage sources and
// identity providers speak for many identities, so only admins issue those.
const OWNER_SCOPES: TokenScope[] = ["jit:request", "jit:read"];

export const tokenInput = z
  .object({
    name: text().trim().min(3, "Name the token in at least 3 characters.").max(80, "Keep the name under 80 characters."),
    scopes: z
      .array(z.enum(tokenScopes, { message: `Scopes are: ${tokenScopes.join(", ")}.` }))
      .min(1, "Choose at least one scope.")
      .transform((s) => [...new Set(s)]),
    identityId: z.uuid("The identity must be an NHI id.").optional(),
    systemId: z.uuid("The system must be a system id.").optional(),
    expiresInDays: integer("Expiry", 1, 365, {
      type: "Expiry must be a whole number of days.",
      min: "A token lives at least 1 day.",
      max: "A token lives at most 365 days.",
    }).default(90),
  })
  .strict()
  .refine((t) => !t.scopes.some((s) => s.startsWith("jit:")) || t.identityId, { message: "JIT scopes act as an NHI: choose which one.", path: ["identityId"] })
  .refine((t) => !(t.scopes.includes("scim") && t.identityId), { message: "An identity-provider token does not act as an identity.", path: ["identityId"] });

const TOKEN_BYTES = 32;
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Issues a token and returns it in clear, once. Admins issue any; an NHI's owners issue JIT tokens for it. */
export async function issueToken(db: Db, caller: Caller, raw: unknown) {
  if (!caller || caller.token) throw new ForbiddenError("Tokens are issued by people.");
  requireDecider(caller);
  const input = parseInput(tokenInput, raw);
  const admin = hasRole(caller, "admin");
  if (input.identityId) {
    const [nhi] = await db
      .select({ id: identities.id, kind: identities.kind, status: identities.status, ownerId: identities.ownerId, backupOwnerId: identities.backupOwnerId })
      .from(identities)
      .where(eq(identities.id, input.identityId));
    const owns = nhi && (nhi.ownerId === caller.identityId || nhi.backupOwnerId === caller.identityId);
    if (!nhi || (!admin && !owns)) throw new NotFoundError("Identity");
    if (nhi.kind === "human") throw new ValidationError({ identityId: ["Tokens act as non-human identities; people sign in."] });
    if (nhi.status !== "active") throw new ValidationError({ identityId: [`This NHI is ${nhi.status}.`] });
  }
  if (!admin && (!input.identityId || input.scopes.some((s) => !OWNER_SCOPES.includes(s)))) {
    throw new ForbiddenError(`Owners issue ${OWNER_SCOPES.join(" and ")} tokens for their NHIs; other tokens are issued by admins.`);
  }
  if (input.systemId) {
    const [system] = await db.select({ id: systems.id }).from(systems).where(eq(systems.id, input.systemId));
    if (!system) throw new ValidationError({ systemId: ["No such system."] });
  }
  const token = `gov_${randomBytes(TOKEN_BYTES).toString("base64url")}`;
  const expiresAt = new Date(Date.now() + input.expiresInDays * 86_400_000);
  return auditedTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        name: input.name,
        prefix: token.slice(0, 12),
        tokenHash: hashToken(token),
        scopes: input.scopes,
        identityId: input.identityId,
        systemId: input.systemId,
        createdById: caller.identityId,
        expiresAt,
      })
      .returning();
    const { tokenHash: _hash, ...visible } = row;
    await recordAudit(tx, actorOf(caller), { action: "api_token.issued", entityType: "api_token", entityId: row.id, after: visible });
    return { ...visible, token };
  });
}

const nhi = alias(identities, "token_identity");
const creator = alias(identities, "token_creator");

/** Tokens the caller may see: all for admins and auditors, their NHIs' tokens for owners. */
export async function listTokens(db: Tx, caller: Caller, opts: { identityId?: string } = {}) {
  if (caller.token) throw new ForbiddenError("Tokens are listed by people.");
  if (opts.identityId && !z.uuid().safeParse(opts.identityId).success) throw new ValidationError({ identityId: ["The identity must be an NHI id."] });
  const where: (SQL | undefined)[] = [];
  if (!hasRole(caller, "admin", "auditor")) where.push(or(eq(nhi.ownerId, caller.identityId), eq(nhi.backupOwnerId, caller.identityId)));
  if (opts.identityId) where.push(eq(apiTokens.identityId, opts.identityId));
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      scopes: apiTokens.scopes,
      identityId: apiTokens.identityId,
      identityName: nhi.name,
      systemId: apiTokens.systemId,
      systemName: systems.name,
      createdByName: creator.displayName,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .leftJoin(nhi, eq(nhi.id, apiTokens.identityId))
    .leftJoin(systems, eq(systems.id, apiTokens.systemId))
    .leftJoin(creator, eq(creator.id, apiTokens.createdById))
    .where(and(...where))
    .orderBy(sql`${apiTokens.revokedAt} is not null`, desc(apiTokens.createdAt))
    .limit(500);
}

/** Revokes a token at once; a token outside the caller's reach answers 404. */
export async function revokeToken(db: Db, caller: Caller, id: string) {
  if (caller.token) throw new ForbiddenError("Tokens are revoked by people.");
  requireDecider(caller);
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Token");
  return auditedTransaction(db, async (tx) => {
    const [row] = await tx
      .select({ token: apiTokens, ownerId: nhi.ownerId, backupOwnerId: nhi.backupOwnerId })
      .from(apiTokens)
      .leftJoin(nhi, eq(nhi.id, apiTokens.identityId))
      .where(eq(apiTokens.id, id))
      .for("update", { of: apiTokens });
    const owns = row && (row.ownerId === caller.identityId || row.backupOwnerId === caller.identityId);
    if (!row || (!hasRole(caller, "admin") && !owns)) throw new NotFoundError("Token");
    if (row.token.revokedAt) return { id, revokedAt: row.token.revokedAt };
    const now = new Date();
    await tx.update(apiTokens).set({ revokedAt: now, revokedById: caller.identityId }).where(eq(apiTokens.id, id));
    await recordAudit(tx, actorOf(caller), {
      action: "api_token.revoked",
      entityType: "api_token",
      entityId: id,
      before: { revokedAt: null },
      after: { revokedAt: now, name: row.token.name },
    });
    return { id, revokedAt: now };
  });
}

export type TokenPrincipal = {
  id: string;
  name: string;
  scopes: ReadonlySet<TokenScope>;
  identityId: string | null;
  systemId: string | null;
};

/** The bearer token in an Authorization header, or null when it carries none. */
export function bearerFrom(header: string | null): string | null {
  const match = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Domain functions taking a token check its scope themselves, whatever route let the call in. */
export function requireScope(token: TokenPrincipal, scope: TokenScope): TokenPrincipal {
  if (!token.scopes.has(scope)) throw new ForbiddenError(`This token lacks the ${scope} scope.`);
  return token;
}

// Recording every use would put a write on every API call; a minute's precision is enough.
const LAST_USED_PRECISION_MS = 60_000;

/** The live token behind a bearer string, or null (unknown, revoked or expired). */
export async function authenticateToken(db: Tx, bearer: string): Promise<TokenPrincipal | null> {
  if (!bearer.startsWith("gov_") || bearer.length > 100) return null;
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(bearer)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date()))));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
  }
  return { id: row.id, name: row.name, scopes: new Set(row.scopes), identityId: row.identityId, systemId: row.systemId };
}

/** The caller an NHI token acts as; null when its NHI is no longer active. */
export async function callerForToken(db: Tx, principal: TokenPrincipal): Promise<Caller | null> {
  if (!principal.identityId) return null;
  const [row] = await db
    .select({ id: identities.id, name: identities.name, kind: identities.kind, status: identities.status })
    .from(identities)
    .where(eq(identities.id, principal.identityId));
  if (!row || row.status !== "active" || row.kind === "human") return null;
  return { identityId: row.id, name: row.name, email: null, roles: new Set(), token: { id: principal.id, name: principal.name, scopes: principal.scopes } };
}
