import { and, count, eq, gt, isNull, max } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { connectors, sshCertificates } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, parseInput } from "@/lib/errors";
import { text } from "@/lib/validation/fields";
import { sshConfig, trustedCaKeys, type SshConfig } from "./ssh";
import { generateCa } from "./ssh-ca";

async function lockSshConnector(tx: Parameters<Parameters<typeof auditedTransaction>[1]>[0], id: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Connector");
  const [c] = await tx.select().from(connectors).where(eq(connectors.id, id)).for("update");
  if (!c) throw new NotFoundError("Connector");
  if (c.kind !== "ssh") throw new ConflictError("Only SSH connectors hold a certificate authority.");
  return c;
}

/** The public view of a connector's CAs and what the target's TrustedUserCAKeys must hold. */
const caView = (config: SshConfig) => ({
  cas: config.cas.map(({ sealedPrivateKey: _sealed, ...ca }) => ca),
  trustedCaKeys: trustedCaKeys(config),
});

/**
 * Starts a CA rotation: a new CA signs from now on, the old one stays trusted
 * (targets keep both in TrustedUserCAKeys) while certificates it signed are
 * still valid, until an admin retires it.
 */
export async function rotateCa(db: Db, caller: Caller, id: string) {
  requireRole(caller, "admin");
  return auditedTransaction(db, async (tx) => {
    const c = await lockSshConnector(tx, id);
    const config = sshConfig(c);
    const fresh = generateCa(`gov ${c.name} CA ${new Date().toISOString().slice(0, 10)}`);
    const next: SshConfig = { ...config, cas: [...config.cas, fresh] };
    await tx.update(connectors).set({ config: next, updatedAt: new Date() }).where(eq(connectors.id, id));
    await recordAudit(tx, actorOf(caller), {
      action: "connector.ca_rotated",
      entityType: "connector",
      entityId: id,
      before: { trusted: config.cas.filter((x) => !x.retiredAt).map((x) => x.fingerprint) },
      after: { signing: fresh.fingerprint, trusted: next.cas.filter((x) => !x.retiredAt).map((x) => x.fingerprint) },
    });
    return caView(next);
  });
}

const retireInput = z.object({ fingerprint: text().trim().min(1, "Name the CA by its fingerprint (SHA256:…).").max(200) }).strict();

/** Ends the overlap: the old CA is no longer trusted; refused while certificates it signed are still valid, or for the CA that signs now. */
export async function retireCa(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  const { fingerprint } = parseInput(retireInput, raw);
  return auditedTransaction(db, async (tx) => {
    const c = await lockSshConnector(tx, id);
    const config = sshConfig(c);
    const live = config.cas.filter((x) => !x.retiredAt);
    const ca = live.find((x) => x.fingerprint === fingerprint);
    if (!ca) throw new NotFoundError("Trusted CA");
    if (ca === live.at(-1)) throw new ConflictError("This CA signs new certificates; rotate to a new one before retiring it.");
    const [{ valid, until }] = await tx
      .select({ valid: count(), until: max(sshCertificates.validBefore) })
      .from(sshCertificates)
      .where(
        and(
          eq(sshCertificates.connectorId, id),
          eq(sshCertificates.caFingerprint, fingerprint),
          isNull(sshCertificates.revokedAt),
          gt(sshCertificates.validBefore, new Date()),
        ),
      );
    if (valid > 0)
      throw new ConflictError(
        `${valid} certificate${valid === 1 ? "" : "s"} signed by this CA stay valid until ${until?.toISOString()}; retire it after that.`,
      );
    const next: SshConfig = { ...config, cas: config.cas.map((x) => (x === ca ? { ...x, retiredAt: new Date().toISOString() } : x)) };
    await tx.update(connectors).set({ config: next, updatedAt: new Date() }).where(eq(connectors.id, id));
    await recordAudit(tx, actorOf(caller), {
      action: "connector.ca_retired",
      entityType: "connector",
      entityId: id,
      after: { retired: fingerprint, trusted: next.cas.filter((x) => !x.retiredAt).map((x) => x.fingerprint) },
    });
    return caView(next);
  });
}
