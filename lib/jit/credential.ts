import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { connectors, entitlements, grantIsActive, grants, issuedCredentials, issuesCredential } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireScope, type Caller } from "@/lib/caller";
import { ensureLoginRole, grantedRole, newPassword, scramVerifier, targetAddress, withTarget } from "@/lib/connectors/postgres-target";
import { perGrantRole } from "@/lib/permissions/postgres/grant-roles";
import { DeliveryError } from "@/lib/connectors/types";
import { ConflictError, ForbiddenError, TargetUnavailableError } from "@/lib/errors";
import { isRequesterOf, lockVisibleRequest } from "./access";
import { settleBeforeAction, settleRequest } from "./window";

/** The enabled PostgreSQL connector of a system: it issues that system's short-lived credentials. */
async function credentialConnector(tx: Tx, systemId: string) {
  const [connector] = await tx
    .select()
    .from(connectors)
    .where(and(eq(connectors.systemId, systemId), eq(connectors.kind, "postgres"), eq(connectors.enabled, 1)))
    .orderBy(connectors.createdAt)
    .limit(1);
  return connector ?? null;
}

/** What a hand-out returns, once: the only place the password ever appears. */
export type HandedOutCredential = {
  kind: "postgres_login";
  username: string;
  password: string;
  host: string;
  port: number;
  database: string;
  validUntil: string;
  connectionString: string;
  psql: string;
  handedOut: number;
};

/**
 * Hands the requester of an active JIT grant its own short-lived credential:
 * a login role in the target PostgreSQL server, valid until the grant's end
 * (the server refuses logins after it, whether or not the product runs), a
 * member of the entitlement's role. The password is made here, set in the
 * target as a SCRAM verifier, returned in this answer and kept nowhere; asking
 * again makes a new one and the previous one stops working. Only the requester
 * (or the NHI, through its token) receives it, while the window is open.
 */
export async function handOutCredential(db: Db, caller: Caller, id: string): Promise<HandedOutCredential> {
  if (caller.token) requireScope(caller, "jit:request");
  await settleBeforeAction(db, id);
  return auditedTransaction(db, async (tx) => {
    const locked = await lockVisibleRequest(tx, caller, id);
    if (!isRequesterOf(caller, locked)) throw new ForbiddenError("Only the requester receives the credential of their access.");
    const request = (await settleRequest(tx, locked.id))!;
    if (!issuesCredential(request.activation))
      throw new ConflictError("This access makes your own account a member of the role; its policy issues no credential.");
    if (request.status !== "active" || !request.grantId || !request.expiresAt)
      throw new ConflictError(`A credential is handed out while the access is active; this request is ${request.status.replace("_", " ")}.`);
    // The grant row locked against any revocation (offboarding, say) while the target is changed: one that ends meanwhile waits, then removes the role.
    const [grant] = await tx
      .select({ id: grants.id, systemId: entitlements.systemId, externalRef: entitlements.externalRef, name: entitlements.name })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .where(and(eq(grants.id, request.grantId), grantIsActive))
      .for("share", { of: grants });
    if (!grant) throw new ConflictError("This access is no longer usable.");
    const connector = await credentialConnector(tx, grant.systemId);
    if (!connector) throw new ConflictError("No PostgreSQL connector is enabled for this system; an admin must add one before credentials can be issued.");
    const username = perGrantRole(grant.id);
    const password = newPassword();
    try {
      await withTarget(connector, (target) =>
        ensureLoginRole(target, { role: username, memberOf: grantedRole(grant), validUntil: request.expiresAt!, verifier: scramVerifier(password) }),
      );
    } catch (e) {
      if (e instanceof DeliveryError)
        throw new TargetUnavailableError(`The database server did not issue the credential: ${e.message}. Nothing was changed; try again.`);
      throw e;
    }
    const address = targetAddress(connector);
    const now = new Date();
    const [issued] = await tx
      .insert(issuedCredentials)
      .values({
        grantId: grant.id,
        requestId: request.id,
        connectorId: connector.id,
        kind: "postgres_login",
        username,
        validUntil: request.expiresAt,
        address,
        issuedAt: now,
        lastHandedOutAt: now,
      })
      .onConflictDoUpdate({
        target: [issuedCredentials.grantId, issuedCredentials.kind],
        set: { handedOutCount: sql`${issuedCredentials.handedOutCount} + 1`, lastHandedOutAt: now, updatedAt: now },
      })
      .returning({ id: issuedCredentials.id, handedOut: issuedCredentials.handedOutCount });
    await recordAudit(tx, actorOf(caller), {
      action: issued.handedOut === 1 ? "credential.issued" : "credential.reissued",
      entityType: "jit_request",
      entityId: request.id,
      // What was issued and until when; the password is in no record.
      after: { kind: "postgres_login", username, validUntil: request.expiresAt, connectorId: connector.id, handedOut: issued.handedOut },
    });
    const userinfo = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
    const host = address.host.includes(":") ? `[${address.host}]` : address.host;
    return {
      kind: "postgres_login",
      username,
      password,
      ...address,
      validUntil: request.expiresAt.toISOString(),
      connectionString: `postgres://${userinfo}@${host}:${address.port}/${encodeURIComponent(address.database)}`,
      psql: `psql "postgres://${encodeURIComponent(username)}@${host}:${address.port}/${encodeURIComponent(address.database)}"`,
      handedOut: issued.handedOut,
    };
  });
}

/** What was issued for a request, for its page: never the secret. */
export async function issuedFor(db: Db | Tx, requestId: string) {
  return db
    .select({
      kind: issuedCredentials.kind,
      username: issuedCredentials.username,
      validUntil: issuedCredentials.validUntil,
      address: issuedCredentials.address,
      issuedAt: issuedCredentials.issuedAt,
      handedOutCount: issuedCredentials.handedOutCount,
      lastHandedOutAt: issuedCredentials.lastHandedOutAt,
      removedAt: issuedCredentials.removedAt,
    })
    .from(issuedCredentials)
    .where(eq(issuedCredentials.requestId, requestId));
}
