import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { queryRows } from "@/db/rows";
import { connectors, eligibilityPolicies, entitlements, grantIsActive, grants, issuedCredentials, issuesCredential, sshCertificates } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireScope, type Caller } from "@/lib/caller";
import { ensureLoginRole, grantedRole, newPassword, scramVerifier, targetAddress, withTarget } from "@/lib/connectors/postgres-target";
import { perGrantRole } from "@/lib/permissions/grant-accounts";
import { publishKrl, signingCa, sshConfig } from "@/lib/connectors/ssh";
import { publicKeyFingerprint, signCertificate } from "@/lib/connectors/ssh-ca";
import { DeliveryError, type ConnectorRow } from "@/lib/connectors/types";
import { credentialConnectorKinds } from "@/lib/connectors/kinds";
import { assertDn, ensureGrantAccount, groupDn, sshaHash, withDirectory } from "@/lib/connectors/ldap-target";
import { ConflictError, ForbiddenError, TargetUnavailableError, ValidationError, parseInput } from "@/lib/errors";
import { text } from "@/lib/validation/fields";
import { isRequesterOf, lockVisibleRequest } from "./access";
import { settleBeforeAction, settleRequest } from "./window";

/** The enabled connector that issues a system's short-lived credentials (the oldest, if several): login roles, SSH certificates, directory accounts. */
export async function credentialConnector(tx: Db | Tx, systemId: string) {
  const [connector] = await tx
    .select()
    .from(connectors)
    .where(and(eq(connectors.systemId, systemId), inArray(connectors.kind, credentialConnectorKinds), eq(connectors.enabled, 1)))
    .orderBy(connectors.createdAt)
    .limit(1);
  return connector ?? null;
}

/** What a hand-out returns, once: the only place the password ever appears. */
export type HandedOutCredential = PostgresLogin | LdapAccount | SshCertificate;

export type LdapAccount = {
  kind: "ldap_account";
  bindDn: string;
  password: string;
  url: string;
  group: string;
  validUntil: string;
  ldapwhoami: string;
  handedOut: number;
};

export type PostgresLogin = {
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

export type SshCertificate = {
  kind: "ssh_certificate";
  certificate: string;
  serial: number;
  keyId: string;
  principals: string[];
  /** Where it may be used from (the policy's source addresses); empty: anywhere. */
  sourceAddresses: string[];
  validAfter: string;
  validBefore: string;
  caFingerprint: string;
  ssh: string;
};

const sshInput = z
  .object({
    publicKey: text().trim().min(1, "Paste your SSH public key (the .pub file, one line).").max(16_384, "That is too long for an SSH public key."),
  })
  .strict();

/**
 * Hands the requester of an active JIT grant its own short-lived credential:
 * a login role in the target PostgreSQL server or an account in the target
 * directory, valid until the grant's end (the target refuses logins after it,
 * whether or not the product runs), a member of the entitlement's role or
 * group; or an SSH certificate (below). The password is made here, set in the
 * target as a hash (a SCRAM verifier, an {SSHA} value), returned in this
 * answer and kept nowhere; asking
 * again makes a new one and the previous one stops working. Only the requester
 * (or the NHI, through its token) receives it, while the window is open.
 */
export async function handOutCredential(db: Db, caller: Caller, id: string, raw: unknown = {}): Promise<HandedOutCredential> {
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
      .select({ id: grants.id, startsAt: grants.startsAt, systemId: entitlements.systemId, externalRef: entitlements.externalRef, name: entitlements.name })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .where(and(eq(grants.id, request.grantId), grantIsActive))
      .for("share", { of: grants });
    if (!grant) throw new ConflictError("This access is no longer usable.");
    const connector = await credentialConnector(tx, grant.systemId);
    if (!connector)
      throw new ConflictError("No PostgreSQL, SSH or directory connector is enabled for this system; an admin must add one before credentials can be issued.");
    if (connector.kind === "ssh") return sshCertificateFor(tx, caller, request, grant, connector, raw);
    parseInput(noInput, raw);
    const password = newPassword();
    const issued =
      connector.kind === "ldap"
        ? await ldapAccount(connector, grant, request.expiresAt, password)
        : await postgresLogin(connector, grant, request.expiresAt, password);
    const now = new Date();
    const [record] = await tx
      .insert(issuedCredentials)
      .values({
        grantId: grant.id,
        requestId: request.id,
        connectorId: connector.id,
        kind: issued.kind,
        username: issued.username,
        validUntil: request.expiresAt,
        address: issued.address,
        issuedAt: now,
        lastHandedOutAt: now,
      })
      .onConflictDoUpdate({
        target: [issuedCredentials.grantId, issuedCredentials.kind],
        set: { handedOutCount: sql`${issuedCredentials.handedOutCount} + 1`, lastHandedOutAt: now, updatedAt: now, removedAt: null },
      })
      .returning({ handedOut: issuedCredentials.handedOutCount });
    await recordAudit(tx, actorOf(caller), {
      action: record.handedOut === 1 ? "credential.issued" : "credential.reissued",
      entityType: "jit_request",
      entityId: request.id,
      // What was issued and until when; the password is in no record.
      after: { kind: issued.kind, username: issued.username, validUntil: request.expiresAt, connectorId: connector.id, handedOut: record.handedOut },
    });
    return { ...issued.answer, validUntil: request.expiresAt.toISOString(), handedOut: record.handedOut };
  });
}

/** A hand-out of a password credential takes no input. */
const noInput = z.object({}).strict();

/** The grant, with its entitlement's names. */
type GrantOf = { id: string; externalRef: string | null; name: string };

const unavailable = (what: string, e: unknown) => {
  if (e instanceof DeliveryError) return new TargetUnavailableError(`${what} did not issue the credential: ${e.message}. Nothing was changed; try again.`);
  return e;
};

/** The grant's login role in the target PostgreSQL server, its password set to a new one (sent as a SCRAM verifier). */
async function postgresLogin(connector: ConnectorRow, grant: GrantOf, validUntil: Date, password: string) {
  const username = perGrantRole(grant.id);
  try {
    await withTarget(connector, (target) =>
      ensureLoginRole(target, { role: username, memberOf: grantedRole(grant), validUntil, verifier: scramVerifier(password) }),
    );
  } catch (e) {
    throw unavailable("The database server", e);
  }
  const address = targetAddress(connector);
  const userinfo = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return {
    kind: "postgres_login" as const,
    username,
    address,
    answer: {
      kind: "postgres_login" as const,
      username,
      password,
      ...address,
      connectionString: `postgres://${userinfo}@${host}:${address.port}/${encodeURIComponent(address.database)}`,
      psql: `psql "postgres://${encodeURIComponent(username)}@${host}:${address.port}/${encodeURIComponent(address.database)}"`,
    },
  };
}

/** The grant's account in the directory, a member of the entitlement's group, its password set to a new one (sent as a hash). */
async function ldapAccount(connector: ConnectorRow, grant: GrantOf, validUntil: Date, password: string) {
  const group = groupDn(grant);
  try {
    assertDn(group, "group");
  } catch (e) {
    throw new ConflictError(`No credential can be issued: ${(e as Error).message}.`);
  }
  let bind: { dn: string; url: string; host: string; port: number };
  try {
    bind = await withDirectory(connector, async (client, config) => ({
      dn: await ensureGrantAccount(client, config.base, { grantId: grant.id, group, validUntil, hash: sshaHash(password) }),
      url: config.url,
      host: config.host,
      port: config.port,
    }));
  } catch (e) {
    throw unavailable("The directory", e);
  }
  const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    kind: "ldap_account" as const,
    username: bind.dn,
    address: { host: bind.host, port: bind.port, group },
    answer: {
      kind: "ldap_account" as const,
      bindDn: bind.dn,
      password,
      url: bind.url,
      group,
      ldapwhoami: `ldapwhoami -x -H ${bind.url} -D ${quoted(bind.dn)} -W`,
    },
  };
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

/**
 * An SSH certificate for the requester's public key, signed by the
 * connector's CA: its principals the entitlement's, valid for the grant's
 * window (sshd refuses it outside), its key ID naming the grant and its serial
 * unique. A new one revokes the grant's earlier certificates (the connector's
 * revocation list is published again), so one key at a time holds the access.
 */
async function sshCertificateFor(
  tx: Tx,
  caller: Caller,
  request: { id: string; policyId: string; expiresAt: Date | null },
  grant: { id: string; startsAt: Date | null; externalRef: string | null; name: string },
  connector: ConnectorRow,
  raw: unknown,
): Promise<SshCertificate> {
  const { publicKey } = parseInput(sshInput, raw);
  const keyFingerprint = await publicKeyFingerprint(publicKey);
  if (!keyFingerprint)
    throw new ValidationError({
      publicKey: ["Not an SSH public key: paste one line such as “ssh-ed25519 AAAA… you@laptop” (RSA keys need 2,048 bits or more)."],
    });
  const principal = grantedRole(grant);
  // A principal is one line of AuthorizedPrincipalsFile and one item of ssh-keygen's comma-separated list.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what the principal may not hold
  if (!/^[^\s,"'#\\\x00-\x1f\x7f]{1,256}$/.test(principal))
    throw new ConflictError(`The entitlement ${principal} cannot be an SSH principal (no spaces, commas, quotes or #); an admin must rename it.`);
  const ca = signingCa(sshConfig(connector));
  // The policy's addresses as they are now: a narrowing applies to the next certificate.
  const [{ sourceAddresses }] = await tx
    .select({ sourceAddresses: eligibilityPolicies.sourceAddresses })
    .from(eligibilityPolicies)
    .where(eq(eligibilityPolicies.id, request.policyId));
  const [{ serial }] = await queryRows<{ serial: number }>(tx, sql`select nextval(pg_get_serial_sequence('ssh_certificates', 'serial'))::int8 as serial`);
  const keyId = `gov-grant-${grant.id}`;
  const validAfter = grant.startsAt ?? new Date();
  const validBefore = request.expiresAt!;
  let certificate: string;
  try {
    certificate = await signCertificate(ca, {
      publicKey,
      keyId,
      principals: [principal],
      validAfter,
      validBefore,
      serial: Number(serial),
      sourceAddresses,
    });
  } catch (e) {
    if (e instanceof DeliveryError) throw new TargetUnavailableError(`The certificate could not be signed: ${e.message}. Nothing was changed.`);
    throw e;
  }
  const now = new Date();
  const replaced = await tx
    .update(sshCertificates)
    .set({ revokedAt: now, updatedAt: now })
    .where(and(eq(sshCertificates.grantId, grant.id), isNull(sshCertificates.revokedAt)))
    .returning({ serial: sshCertificates.serial });
  // What the certificate says, as stored and as audited.
  const terms = {
    serial: Number(serial),
    keyId,
    principals: [principal],
    keyFingerprint,
    caFingerprint: ca.fingerprint,
    validAfter,
    validBefore,
    sourceAddresses,
  };
  await tx.insert(sshCertificates).values({ ...terms, grantId: grant.id, requestId: request.id, connectorId: connector.id, certificate, issuedAt: now });
  if (replaced.length) {
    try {
      await publishKrl(tx, connector);
    } catch (e) {
      if (e instanceof DeliveryError) throw new TargetUnavailableError(`The earlier certificate could not be revoked: ${e.message}. Nothing was changed.`);
      throw e;
    }
  }
  await recordAudit(tx, actorOf(caller), {
    action: replaced.length ? "credential.reissued" : "credential.issued",
    entityType: "jit_request",
    entityId: request.id,
    after: {
      kind: "ssh_certificate",
      ...terms,
      connectorId: connector.id,
      revokedSerials: replaced.map((r) => r.serial),
    },
  });
  return {
    kind: "ssh_certificate",
    certificate,
    serial: Number(serial),
    keyId,
    principals: [principal],
    sourceAddresses,
    validAfter: validAfter.toISOString(),
    validBefore: validBefore.toISOString(),
    caFingerprint: ca.fingerprint,
    ssh: `ssh -i ~/.ssh/id_ed25519 -o CertificateFile=~/.ssh/id_ed25519-cert.pub <user>@<host>`,
  };
}

/** The SSH certificates issued for a request, newest first (public: shown again on its page). */
export async function certificatesFor(db: Db | Tx, requestId: string) {
  return db
    .select({
      serial: sshCertificates.serial,
      keyId: sshCertificates.keyId,
      principals: sshCertificates.principals,
      sourceAddresses: sshCertificates.sourceAddresses,
      keyFingerprint: sshCertificates.keyFingerprint,
      validAfter: sshCertificates.validAfter,
      validBefore: sshCertificates.validBefore,
      certificate: sshCertificates.certificate,
      issuedAt: sshCertificates.issuedAt,
      revokedAt: sshCertificates.revokedAt,
    })
    .from(sshCertificates)
    .where(eq(sshCertificates.requestId, requestId))
    .orderBy(desc(sshCertificates.serial));
}
