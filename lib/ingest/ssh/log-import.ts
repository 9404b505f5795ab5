import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { entitlements, grants, sshCertificates, systems } from "@/db/schema";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ValidationError, parseInput } from "@/lib/errors";
import { text } from "@/lib/validation/fields";
import { importUsage, importUsageBody, type UsageImportSummary } from "@/lib/usage/import";
import type { PrincipalIndex, UsageSource } from "@/lib/usage/source";
import { parseSshLog, readSshLog, sshLogClassifier } from "./log";

const systemField = z.object({ system: text().trim().min(1, "Name the system whose hosts wrote the log.").max(200) });

/** The certificates signed for a system's grants, by key ID: each one's holder, whoever that is. */
async function principalIndex(db: Db, name: string): Promise<PrincipalIndex> {
  const [system] = await db.select({ id: systems.id }).from(systems).where(eq(systems.name, name));
  if (!system) throw new ValidationError({ system: [`No system ${name} in the inventory.`] });
  const issued = await db
    .selectDistinct({ keyId: sshCertificates.keyId, identityId: grants.identityId })
    .from(sshCertificates)
    .innerJoin(grants, eq(grants.id, sshCertificates.grantId))
    .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
    .where(eq(entitlements.systemId, system.id));
  return {
    identities: new Map(issued.map((c) => [c.keyId, { identityId: c.identityId, systemId: system.id }])),
    systems: new Map([[name, system.id]]),
  };
}

const sshLogSource = (system: string): UsageSource => {
  const classify = sshLogClassifier();
  return {
    tag: `ssh-log:${system}`,
    read: readSshLog as UsageSource["read"],
    classify: classify as UsageSource["classify"],
    principals: (db) => principalIndex(db, system),
    // Logins with the product's certificates, to logout, are session evidence linked to the grant that covered them.
    sessions: true,
  };
};

/** Imports hosts' sshd authentication logs (syslog, journald's short-iso) as session evidence of the certificates issued for a system's grants. */
export async function importSshLog(db: Db, input: { system: unknown; paths: string[] }): Promise<UsageImportSummary> {
  const { system } = parseInput(systemField, { system: input.system });
  return importUsage(db, sshLogSource(system), input.paths);
}

/** Log lines sent over the API (POST /api/v1/imports/ssh-log?system=…), for an admin. */
export async function importSshLogBy(db: Db, caller: Caller, system: unknown, body: string): Promise<UsageImportSummary> {
  requireRole(caller, "admin");
  const name = parseInput(systemField, { system }).system;
  return importUsageBody(db, sshLogSource(name), body, (t) => parseSshLog(t), actorOf(caller));
}
