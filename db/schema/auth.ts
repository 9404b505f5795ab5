import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, tz } from "./columns";
import { identities, systems } from "./identity";

// Roles grant capabilities across the product. Ownership (of NHIs, of
// entitlements) and management lines are relations, not roles.
export const roles = ["admin", "auditor", "reviewer", "approver", "owner", "requester"] as const;
export type Role = (typeof roles)[number];
export const role = pgEnum("role", roles);

export const roleAssignments = pgTable(
  "role_assignments",
  {
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    role: role("role").notNull(),
    grantedById: uuid("granted_by_id").references(() => identities.id),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.identityId, t.role] })],
);

/**
 * What a machine caller may do with its bearer token. `jit:request` lets an
 * NHI ask for and release its own elevation; `usage:write` sends usage and
 * session evidence; `scim` provisions people and groups from an identity provider;
 * `credentials:write` lets a connector or secrets manager report rotations it
 * carried out (which clears long-lived-secret findings, so a log source's
 * token must not).
 */
export const tokenScopes = ["jit:request", "jit:read", "usage:write", "scim", "credentials:write"] as const;
export type TokenScope = (typeof tokenScopes)[number];

/**
 * Bearer tokens for pipelines, log sources and identity providers. Only a
 * SHA-256 of the token is kept (tokens are 256 random bits, so a fast hash is
 * enough); the clear token is shown once, at issue.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    name: text("name").notNull(),
    // The first characters of the token, shown so people can tell tokens apart.
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    scopes: jsonb("scopes").$type<TokenScope[]>().notNull(),
    // The NHI the token acts as (pipelines requesting their own elevation).
    identityId: uuid("identity_id").references(() => identities.id),
    // The system a usage source reports for, when it reports for one system.
    systemId: uuid("system_id").references(() => systems.id),
    createdById: uuid("created_by_id").references(() => identities.id),
    createdAt: tz("created_at").notNull().defaultNow(),
    expiresAt: tz("expires_at"),
    lastUsedAt: tz("last_used_at"),
    revokedAt: tz("revoked_at"),
    revokedById: uuid("revoked_by_id").references(() => identities.id),
  },
  (t) => [
    uniqueIndex("api_tokens_hash_key").on(t.tokenHash),
    index("api_tokens_identity_idx")
      .on(t.identityId)
      .where(sql`${t.revokedAt} is null`),
  ],
);

/** How a session was started: a demo persona (only honoured in demo mode) or OpenID Connect. */
export const sessionProviders = ["demo", "oidc"] as const;
export type SessionProvider = (typeof sessionProviders)[number];
export const sessionProvider = pgEnum("session_provider", sessionProviders);

/**
 * A sign-in session. The session cookie (a signed JWT) only names the row;
 * the row decides: every page, action and route resolves its caller through
 * it, so revoking the row (sign-out, a role removed, the person leaving) ends
 * the session everywhere at once, whatever the cookie still says.
 */
export const authSessions = pgTable(
  "auth_sessions",
  {
    id: id(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    provider: sessionProvider("provider").notNull(),
    createdAt: tz("created_at").notNull().defaultNow(),
    // Written at most once a minute per session (see SESSION_TOUCH_MS).
    lastSeenAt: tz("last_seen_at").notNull().defaultNow(),
    expiresAt: tz("expires_at").notNull(),
    revokedAt: tz("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    index("auth_sessions_live_idx")
      .on(t.identityId)
      .where(sql`${t.revokedAt} is null`),
    index("auth_sessions_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Failed authentications (unknown API or SCIM tokens, refused sign-ins) per
 * source address and fixed window, shared by every app instance. Only
 * failures write here; windows that have ended are swept away.
 */
export const authFailures = pgTable(
  "auth_failures",
  {
    source: text("source").notNull(),
    windowStart: tz("window_start").notNull(),
    failures: integer("failures").notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.windowStart] }), index("auth_failures_window_idx").on(t.windowStart)],
);
