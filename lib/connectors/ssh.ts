import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { and, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { sshCertificates } from "@/db/schema";
import { auditedTransaction } from "@/lib/audit/record";
import { buildKrl, generateCa, sealingKeyConfigured, type StoredCa } from "./ssh-ca";
import { DeliveryError, type ConnectorDriver, type ConnectorRow } from "./types";

/** An SSH connector's stored settings: its CAs (newest last; a rotated-out one kept while its certificates live), and where the KRL goes. */
export type SshConfig = { cas: StoredCa[]; krlPath?: string };

export const sshConfig = (c: ConnectorRow) => c.config as SshConfig;
/** The CA that signs now: the newest one not retired. */
export const signingCa = (c: SshConfig): StoredCa => {
  const ca = c.cas.filter((x) => !x.retiredAt).at(-1);
  if (!ca) throw new DeliveryError("the connector has no certificate authority");
  return ca;
};

/** What sshd's TrustedUserCAKeys file holds for this connector: every CA still trusted (two during a rotation's overlap). */
export const trustedCaKeys = (c: SshConfig) =>
  c.cas
    .filter((x) => !x.retiredAt)
    .map((x) => x.publicKey)
    .join("\n") + "\n";

/** The connector's current key revocation list: the serials of its certificates revoked before their end. */
export async function currentKrl(db: Db | Tx, connector: ConnectorRow): Promise<Buffer> {
  const revoked = await db
    .select({ serial: sshCertificates.serial, ca: sshCertificates.caFingerprint })
    .from(sshCertificates)
    .where(and(eq(sshCertificates.connectorId, connector.id), isNotNull(sshCertificates.revokedAt), gt(sshCertificates.validBefore, new Date())));
  const config = sshConfig(connector);
  return buildKrl(config.cas.map((ca) => ({ ca, serials: revoked.filter((r) => r.ca === ca.fingerprint).map((r) => r.serial) })));
}

/** What every OpenSSH key revocation list starts with. */
const KRL_MAGIC = Buffer.from("SSHKRL\n\0", "latin1");

/** Writes the KRL where the target's sshd reads it (RevokedKeys), replacing the file in one rename so sshd never reads half of it. */
export async function publishKrl(db: Db | Tx, connector: ConnectorRow): Promise<number | null> {
  const { krlPath } = sshConfig(connector);
  if (!krlPath) return null;
  const krl = await currentKrl(db, connector);
  // The path is an admin's setting: it may name a new .krl file, or replace a revocation list, never any other file.
  const existing = await readFile(krlPath).catch(() => null);
  if (existing && !existing.subarray(0, KRL_MAGIC.length).equals(KRL_MAGIC))
    throw new DeliveryError(`${krlPath} exists and is not a key revocation list: it is left alone`);
  try {
    await mkdir(path.dirname(krlPath), { recursive: true });
    const temporary = `${krlPath}.${process.pid}.tmp`;
    await writeFile(temporary, krl, { mode: 0o644 });
    await rename(temporary, krlPath);
  } catch (e) {
    throw new DeliveryError(`the revocation list could not be written to ${krlPath}: ${(e as Error).message}`);
  }
  return krl.length;
}

/**
 * Short-lived SSH access: the connector holds a certificate authority (its
 * private key sealed with the server's SSH_CA_KEY) that signs a requester's
 * public key for the grant's window; the target's sshd trusts the CA
 * (TrustedUserCAKeys), maps principals (AuthorizedPrincipalsFile) and reads the
 * revocation list the connector publishes (RevokedKeys). Activation changes
 * nothing in the target (the certificate carries its window); a grant ending
 * early revokes its certificates' serials.
 */
export const sshDriver: ConnectorDriver = {
  check({ systemId, url }) {
    const errors: Record<string, string[]> = {};
    if (!systemId) errors.systemId = ["Choose the system whose entitlements are SSH principals."];
    if (url && (!path.isAbsolute(url) || !url.endsWith(".krl") || url.includes("\0") || url.length > 500))
      errors.url = ["The revocation list's path is an absolute path to a .krl file, like /etc/ssh/gov-revoked.krl."];
    if (!sealingKeyConfigured())
      errors.kind = ["SSH connectors need SSH_CA_KEY (32 characters or more) or SSH_CA_KEY_FILE set on the server, to seal their CA key."];
    return Object.keys(errors).length ? errors : null;
  },
  configure({ url, name }) {
    const config: SshConfig = { cas: [generateCa(`gov ${name ?? "ssh"} CA`)], ...(url ? { krlPath: url } : {}) };
    return { config };
  },
  redact(config) {
    const c = config as SshConfig;
    // The sealed private keys stay on the server: people see the public keys and fingerprints.
    return { ...c, cas: (c.cas ?? []).map(({ sealedPrivateKey: _sealed, ...ca }) => ca) };
  },
  async deliver(db, connector, event) {
    if (event.type === "grant.activated") return { effect: "nothing to do", detail: { reason: "a certificate carries its own window" } };
    if (event.type !== "grant.revoked") return { effect: "ignored" };
    const grantId = (event.payload as { grantId?: string }).grantId;
    if (!grantId) return { effect: "ignored" };
    const now = new Date();
    // Its certificates still valid are revoked; those already past their end need no listing.
    const revoked = await auditedTransaction(db, (tx) =>
      tx
        .update(sshCertificates)
        .set({ revokedAt: now, updatedAt: now })
        .where(
          and(
            eq(sshCertificates.grantId, grantId),
            eq(sshCertificates.connectorId, connector.id),
            isNull(sshCertificates.revokedAt),
            gt(sshCertificates.validBefore, now),
          ),
        )
        .returning({ serial: sshCertificates.serial }),
    );
    const bytes = await publishKrl(db, connector);
    return { effect: revoked.length ? "revoked" : "nothing to revoke", detail: { serials: revoked.map((r) => r.serial), krlBytes: bytes } };
  },
};
