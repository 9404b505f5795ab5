import { hash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { canonicalJson } from "@/db/json";
import { queryColumns } from "@/db/rows";
import {
  awsServiceControlPolicies,
  credentials,
  entitlements,
  grants,
  identities,
  remediations,
  systems,
  type PermissionStatement,
  type PrivilegeLevel,
} from "@/db/schema";
import { type Actor, auditedTransaction, recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { requestEscalationAnalysis } from "@/lib/escalation/queue";
import { z } from "zod";
import { ValidationError, assertSafeInput, parseInput } from "@/lib/errors";
import { textProblem } from "@/lib/validation/input";
import { revokeGrants } from "@/lib/revocation/revoke";
import {
  parseAuthorizationDetails,
  parseCredentialReport,
  principalKind,
  type AwsInventory,
  type AwsPrincipal,
  type CredentialInfo,
} from "./aws/authorization-details";
import { loadCatalogue, type Statement } from "@/lib/permissions/aws/catalogue";
import { loadAccessLevels } from "@/lib/permissions/aws/access-levels";
import { privilegeLevelOf } from "@/lib/permissions/aws/privilege";
import { parseServiceControlPolicies } from "./aws/scps";
import { createImportedGrants, decommissionImportedIdentity, updateImportedIdentity } from "./imported";
import { freeName } from "./inventory";
import { phaseTimer } from "@/lib/timing";
import { AWS_IAM_SOURCE } from "@/lib/permissions/aws/source";

/** Rows created by one import past which the planner's statistics are refreshed in the same transaction. */
const BULK_ROWS = 1_000;

/** What an import reads of the identities it may update. */
type ImportedIdentity = Pick<typeof identities.$inferSelect, "id" | "name" | "kind" | "externalId" | "attributes" | "purpose" | "ownerId" | "status">;

type DesiredEntitlement = { ref: string; name: string; description: string; statements: Statement[] };

export type IamImportSummary = {
  accountId: string;
  systemId: string;
  systemCreated: boolean;
  identities: { created: number; updated: number; removed: number; unchanged: number };
  entitlements: { created: number; updated: number; removed: number };
  grants: { added: number; removed: number; kept: number };
  credentials: number;
  /** Whether the import was given the account's credential report (without it, access keys are unknown). */
  credentialReport: boolean;
  kinds: Record<string, number>;
  /** Service control policies stored, when the import was given them. */
  scps?: number;
  warnings: string[];
  /** Milliseconds per phase (parse, entitlements, identities, grants, …), for benchmarks and logs. */
  phases?: Record<string, number>;
};

// jsonb keeps keys in its own order: compare JSON with keys sorted.
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** What an import records of a document it wrote: the digest of its statements as parsed (the parser's spelling is one per document). */
const importedDigestOf = (statements: Statement[]) => hash("sha256", JSON.stringify(statements), "base64url");

/** Stored permissions of some entitlements, by id, read 5,000 at a time. */
async function permissionsOf(tx: Tx, ids: string[]) {
  const out = new Map<string, PermissionStatement[] | null>();
  for (let i = 0; i < ids.length; i += 5000) {
    for (const r of await tx
      .select({ id: entitlements.id, permissions: entitlements.permissions })
      .from(entitlements)
      .where(inArray(entitlements.id, ids.slice(i, i + 5000))))
      out.set(r.id, r.permissions);
  }
  return out;
}

/** Every entitlement the export defines: managed policies, inline policies (one per principal) and groups. */
function desiredEntitlements(inv: AwsInventory) {
  const out = new Map<string, DesiredEntitlement>();
  const usedNames = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; usedNames.has(n.toLowerCase()); i++) n = `${name} (${i})`;
    usedNames.add(n.toLowerCase());
    return n;
  };
  const add = (ref: string, name: string, description: string, statements: Statement[]) => {
    if (out.has(ref)) return;
    out.set(ref, { ref, name: unique(name), description, statements });
  };
  for (const p of [...inv.policies.values()].sort((a, b) => a.arn.localeCompare(b.arn))) {
    add(p.arn, p.name, `${p.awsManaged ? "AWS managed" : "Customer managed"} policy ${p.arn} (version ${p.defaultVersionId})`, p.statements);
  }
  for (const g of inv.groups) {
    const statements = [...g.attachedPolicyArns.flatMap((arn) => inv.policies.get(arn)?.statements ?? []), ...g.inlinePolicies.flatMap((p) => p.statements)];
    add(g.arn, `${g.name} (group)`, `IAM group ${g.arn}: ${g.attachedPolicyArns.length} managed and ${g.inlinePolicies.length} inline policies`, statements);
  }
  for (const p of [...inv.users, ...inv.roles]) {
    for (const inline of p.inlinePolicies)
      add(`${p.arn}#inline/${inline.name}`, `${inline.name} (inline, ${p.name})`, `Inline policy of ${p.arn}`, inline.statements);
  }
  return out;
}

/** The entitlement refs a principal holds directly: attached managed policies, its inline policies and its groups. */
function heldRefs(inv: AwsInventory, p: AwsPrincipal): string[] {
  const groups = p.groups.map((name) => inv.groups.find((g) => g.name === name)?.arn).filter((arn): arn is string => !!arn);
  return [...new Set([...p.attachedPolicyArns.filter((arn) => inv.policies.has(arn)), ...p.inlinePolicies.map((i) => `${p.arn}#inline/${i.name}`), ...groups])];
}

async function accountSystem(tx: Tx, actor: Actor, accountId: string) {
  const [found] = await tx
    .select()
    .from(systems)
    .where(and(eq(systems.kind, "aws_account"), eq(systems.externalId, accountId)));
  if (found) return { system: found, created: false };
  const [system] = await tx
    .insert(systems)
    .values({ name: `aws-${accountId}`, kind: "aws_account", externalId: accountId, description: `AWS account ${accountId}, imported from IAM` })
    .returning();
  await recordAudit(tx, actor, {
    action: "system.created",
    entityType: "system",
    entityId: system.id,
    after: { name: system.name, kind: "aws_account", externalId: accountId, source: AWS_IAM_SOURCE },
  });
  return { system, created: true };
}

/** Owners named by a tag (`owner`, `owner-email`) are matched to active people by email. */
async function ownersByEmail(tx: Tx, principals: AwsPrincipal[]) {
  const emails = [...new Set(principals.map((p) => ownerTag(p)).filter((e): e is string => !!e))];
  if (emails.length === 0) return new Map<string, string>();
  const rows = await tx
    .select({ id: identities.id, email: identities.email })
    .from(identities)
    .where(and(eq(identities.kind, "human"), eq(identities.status, "active"), inArray(sql`lower(${identities.email})`, emails)));
  return new Map(rows.map((r) => [r.email!.toLowerCase(), r.id]));
}

/** Whether an identity is an IAM user or role: as the import recorded it, else guessed from its kind (identities created before the import). */
export const iamTypeOf = (i: { kind: string; attributes: unknown }) =>
  (i.attributes as { iamType?: string } | null)?.iamType ?? (i.kind === "workload_role" ? "role" : "user");

const tagOf = (p: AwsPrincipal, ...keys: string[]) => Object.entries(p.tags).find(([k]) => keys.includes(k.toLowerCase()))?.[1] ?? null;
const ownerTag = (p: AwsPrincipal) => tagOf(p, "owner", "owner-email", "gov:owner")?.trim().toLowerCase() ?? null;

/**
 * Imports one AWS account's IAM (the JSON of `aws iam get-account-authorization-details`,
 * optionally with the credential report): users and roles become identities,
 * managed, inline and group policies become entitlements keeping their IAM
 * statements as patterns, and what each principal holds becomes a grant with
 * provenance "imported". Re-importing updates in place: what changed is
 * updated, what is no longer in the export ends through the revocation path
 * (confirmed at once: the import saw it gone), and everything is audited.
 */
export async function importAwsIam(
  db: Db,
  input: { authorizationDetails: unknown; credentialReport?: string; scps?: unknown; actor?: Actor },
): Promise<IamImportSummary> {
  const { phases, phase } = phaseTimer();
  // The input rules, before anything is read: a NUL in a name would fail the import's transaction at the database.
  assertSafeInput(input.authorizationDetails, "authorization details");
  if (input.scps !== undefined) assertSafeInput(input.scps, "service control policies");
  phase("check");
  const scps = input.scps === undefined ? null : parseServiceControlPolicies(input.scps);
  const reportProblem = input.credentialReport === undefined ? null : textProblem(input.credentialReport, Number.MAX_SAFE_INTEGER);
  if (reportProblem) throw new ValidationError({ credentialReport: [`The credential report ${reportProblem}`] });
  const inv = parseAuthorizationDetails(input.authorizationDetails);
  phase("parse");
  const report: Map<string, CredentialInfo> | null = input.credentialReport ? parseCredentialReport(input.credentialReport) : null;
  const [catalogue, levels] = await Promise.all([loadCatalogue(), loadAccessLevels()]);
  const desired = desiredEntitlements(inv);
  const levelOf = (d: DesiredEntitlement) => privilegeLevelOf(catalogue, levels, { ref: d.ref, statements: d.statements });
  const actor = input.actor ?? { ...SYSTEM_ACTOR, label: "import: aws-iam" };
  const warnings = [...inv.warnings];
  if (!report && inv.users.length)
    warnings.push(
      `No credential report: ${inv.users.length} IAM users were classified without knowing their access keys; import the account's credential report (aws iam get-credential-report) with its authorization details.`,
    );
  phase("desired");

  return auditedTransaction(db, async (tx) => {
    // One import per account at a time.
    await tx.execute(sql`select pg_advisory_xact_lock(7244010, hashtext(${inv.accountId}))`);
    const { system, created: systemCreated } = await accountSystem(tx, actor, inv.accountId);
    const summary: IamImportSummary = {
      accountId: inv.accountId,
      systemId: system.id,
      systemCreated,
      identities: { created: 0, updated: 0, removed: 0, unchanged: 0 },
      entitlements: { created: 0, updated: 0, removed: 0 },
      grants: { added: 0, removed: 0, kept: 0 },
      credentials: 0,
      credentialReport: report !== null,
      kinds: {},
      warnings,
      phases,
    };
    phase("lock");

    // Entitlements, by the ref AWS gives them: what identifies them and the digest of their
    // permissions as last imported, not the documents themselves (tens of megabytes in a large account).
    // Asked for before the export's digests are computed (the database works meanwhile), and read as
    // columns (queryColumns): row by row, PGlite spent most of a re-import decoding these three reads.
    const reading = queryColumns<{
      id: string;
      name: string;
      description: string | null;
      privilegeLevel: PrivilegeLevel;
      externalRef: string | null;
      importedDigest: string | null;
    }>(
      tx,
      sql`select id, name, description, privilege_level as "privilegeLevel", external_ref as "externalRef", imported_digest as "importedDigest"
          from ${entitlements} where system_id = ${system.id}`,
      ["id", "name", "description", "privilegeLevel", "externalRef", "importedDigest"],
    );
    // The account's identities and live imported grants as they stand before this import changes them
    // (creating entitlements and identities adds no grant), asked for now too.
    const readingIdentities = queryColumns<ImportedIdentity>(
      tx,
      sql`select id, name, kind, external_id as "externalId", attributes, purpose, owner_id as "ownerId", status
          from ${identities} where system_id = ${system.id}`,
      ["id", "name", "kind", "externalId", "attributes", "purpose", "ownerId", "status"],
    );
    // Keyed in SQL: a large account has tens of thousands.
    const readingGrants = queryColumns<{ id: string; key: string }>(
      tx,
      sql`select g.id, g.identity_id::text || '|' || g.entitlement_id::text as key from ${grants} g join ${entitlements} e on e.id = g.entitlement_id
        -- Just-in-time windows and eligibility are governed here, not by IAM.
        where e.system_id = ${system.id} and g.revoked_at is null and g.type = 'standing'`,
      ["id", "key"],
    );
    // Should the import fail before it awaits one of them, its failure is the import's, not an unhandled rejection.
    for (const pending of [reading, readingIdentities, readingGrants]) pending.catch(() => {});
    const digests = new Map([...desired.values()].map((d) => [d.ref, importedDigestOf(d.statements)]));
    phase("digests");
    const existingEnts = await reading;
    phase("entitlements read");
    const entByRef = new Map(existingEnts.filter((e) => e.externalRef).map((e) => [e.externalRef!, e]));
    const takenNames = new Map(existingEnts.map((e) => [e.name.toLowerCase(), e.externalRef]));
    const entIdByRef = new Map<string, string>();
    const now = new Date();
    // Documents whose digest does not vouch for them are read and compared in full.
    const storedPermissions = await permissionsOf(
      tx,
      [...desired.values()]
        .map((d) => entByRef.get(d.ref))
        .filter((e): e is NonNullable<typeof e> => !!e && e.importedDigest !== digests.get(e.externalRef!))
        .map((e) => e.id),
    );
    phase("entitlements compared");
    const digestOnly: { id: string; digest: string }[] = [];
    for (const d of desired.values()) {
      // Stored as parsed: what reconciliation reads and what the escalation analysis needs.
      const permissions: PermissionStatement[] = d.statements;
      const digest = digests.get(d.ref)!;
      const current = entByRef.get(d.ref);
      const vouched = current?.importedDigest === digest;
      // A document as stored keeps its level: only new and changed ones are assessed again (the costly part of a re-import).
      const unchanged = !!current && (vouched || same(storedPermissions.get(current.id) ?? null, permissions));
      const level = unchanged ? current.privilegeLevel : levelOf(d);
      if (!current) {
        // A name used by an entitlement that is not this one (seeded or imported earlier under another ref) gets a suffix.
        const name = freeName(takenNames, d.name, d.ref);
        const [row] = await tx
          .insert(entitlements)
          .values({ systemId: system.id, name, description: d.description, privilegeLevel: level, externalRef: d.ref, permissions, importedDigest: digest })
          .returning({ id: entitlements.id });
        entIdByRef.set(d.ref, row.id);
        summary.entitlements.created++;
        await recordAudit(tx, actor, {
          action: "entitlement.created",
          entityType: "entitlement",
          entityId: row.id,
          after: { name, externalRef: d.ref, privilegeLevel: level, source: AWS_IAM_SOURCE },
        });
        continue;
      }
      entIdByRef.set(d.ref, current.id);
      if (!unchanged || current.privilegeLevel !== level || current.description !== d.description) {
        await tx
          .update(entitlements)
          .set({ permissions, importedDigest: digest, privilegeLevel: level, description: d.description, updatedAt: now })
          .where(eq(entitlements.id, current.id));
        summary.entitlements.updated++;
        await recordAudit(tx, actor, {
          action: "entitlement.updated",
          entityType: "entitlement",
          entityId: current.id,
          before: { privilegeLevel: current.privilegeLevel, permissions: unchanged ? permissions : (storedPermissions.get(current.id) ?? null) },
          after: { privilegeLevel: level, permissions, source: AWS_IAM_SOURCE },
        });
      } else if (!vouched) digestOnly.push({ id: current.id, digest });
    }
    // The same documents, found the same in full: their digest is recorded, nothing else changes (not even when they changed).
    for (let i = 0; i < digestOnly.length; i += 5000) {
      await tx.execute(
        sql`update ${entitlements} set imported_digest = v.digest from (select * from jsonb_to_recordset(${JSON.stringify(digestOnly.slice(i, i + 5000))}::jsonb) as x(id uuid, digest text)) v where ${entitlements.id} = v.id`,
      );
    }
    phase("entitlements");
    // Identities: users and roles, matched by ARN (then by name within the account).
    const principals = [...inv.users, ...inv.roles];
    const existingIds = await readingIdentities;
    const byArn = new Map(existingIds.filter((i) => i.externalId).map((i) => [i.externalId!, i]));
    const byName = new Map(existingIds.map((i) => [`${iamTypeOf(i)}:${i.name}`, i]));
    const owners = await ownersByEmail(tx, principals);
    const identityIdByArn = new Map<string, string>();
    const lastUsedOnly: { id: string; attributes: Record<string, unknown> }[] = [];
    for (const p of principals) {
      const creds = report?.get(p.name);
      const { kind, reason } = principalKind(p, p.kind === "user" ? creds : undefined);
      summary.kinds[kind] = (summary.kinds[kind] ?? 0) + 1;
      const attributes = {
        source: AWS_IAM_SOURCE,
        iamType: p.kind,
        iamId: p.id,
        path: p.path,
        tags: p.tags,
        kindReason: reason,
        ...(p.kind === "role"
          ? {
              trustedPrincipals: p.trustedPrincipals,
              trustPolicy: p.trustPolicy,
              lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
              instanceProfileArns: p.instanceProfileArns,
            }
          : { groups: p.groups }),
        ...(p.permissionsBoundaryArn ? { permissionsBoundaryArn: p.permissionsBoundaryArn } : {}),
        ...(creds ? { passwordEnabled: creds.passwordEnabled, mfaActive: creds.mfaActive } : {}),
      };
      const ownerEmail = ownerTag(p);
      const ownerId = kind !== "human" && ownerEmail ? (owners.get(ownerEmail) ?? null) : null;
      if (ownerEmail && !ownerId && kind !== "human") warnings.push(`${p.arn}: owner tag ${ownerEmail} matches no active person.`);
      const purpose = tagOf(p, "purpose", "description");
      const fields = { kind, displayName: p.name, externalId: p.arn, attributes, ...(purpose ? { purpose } : {}) };
      const current = byArn.get(p.arn) ?? byName.get(`${p.kind}:${p.name}`);
      if (!current) {
        const [row] = await tx
          .insert(identities)
          .values({
            ...fields,
            name: p.name,
            systemId: system.id,
            ownerId,
            nextAttestationAt: kind === "human" ? null : now,
            createdAt: p.createdAt,
            updatedAt: now,
          })
          .returning();
        identityIdByArn.set(p.arn, row.id);
        summary.identities.created++;
        await recordAudit(tx, actor, {
          action: "identity.created",
          entityType: "identity",
          entityId: row.id,
          after: { kind, name: p.name, externalId: p.arn, ownerId, reason, source: AWS_IAM_SOURCE },
        });
      } else {
        identityIdByArn.set(p.arn, current.id);
        const changes: Partial<typeof identities.$inferInsert> = {};
        if (current.kind !== kind) changes.kind = kind;
        if (current.externalId !== p.arn) changes.externalId = p.arn;
        const attributesChanged = !same(current.attributes, attributes);
        // When the role was last used is evidence, not its definition: recorded without counting as an update.
        if (attributesChanged && !same({ ...(current.attributes as object), lastUsedAt: null }, { ...attributes, lastUsedAt: null }))
          changes.attributes = attributes;
        else if (attributesChanged) lastUsedOnly.push({ id: current.id, attributes });
        if (purpose && current.purpose !== purpose) changes.purpose = purpose;
        if (ownerId && !current.ownerId) changes.ownerId = ownerId;
        if (current.status !== "active") changes.status = "active";
        if (Object.keys(changes).length === 0) {
          summary.identities.unchanged++;
          continue;
        }
        await updateImportedIdentity(tx, actor, current, changes, AWS_IAM_SOURCE, now);
        summary.identities.updated++;
      }
    }

    for (let i = 0; i < lastUsedOnly.length; i += 500) {
      const batch = lastUsedOnly.slice(i, i + 500);
      await tx.execute(
        sql`update ${identities} set attributes = v.attributes from (select * from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(id uuid, attributes jsonb)) v where ${identities.id} = v.id`,
      );
    }

    phase("identities");
    // Access keys from the credential report, as credential metadata; the account's existing keys read in one query.
    const existingKeys = report
      ? await tx
          .select({ id: credentials.id, identityId: credentials.identityId, label: credentials.label })
          .from(credentials)
          .innerJoin(identities, eq(identities.id, credentials.identityId))
          .where(eq(identities.systemId, system.id))
      : [];
    const keyIdOf = new Map(existingKeys.map((c) => [`${c.identityId}|${c.label}`, c.id]));
    for (const u of inv.users) {
      const creds = report?.get(u.name);
      const identityId = identityIdByArn.get(u.arn)!;
      for (const [i, key] of (creds?.accessKeys ?? []).entries()) {
        const label = `access key ${i + 1}`;
        const values = {
          status: key.active ? ("active" as const) : ("revoked" as const),
          issuedAt: key.lastRotated ?? u.createdAt,
          lastRotatedAt: key.lastRotated,
          lastUsedAt: key.lastUsed,
          updatedAt: now,
        };
        const existing = keyIdOf.get(`${identityId}|${label}`);
        if (existing) await tx.update(credentials).set(values).where(eq(credentials.id, existing));
        else await tx.insert(credentials).values({ identityId, type: "access_key", label, ...values });
        summary.credentials++;
      }
    }

    phase("credentials");
    // Grants: what each principal holds now, against what the last import left live.
    const imported = await readingGrants;
    const live = new Map(imported.map((g) => [g.key, g]));
    const wanted = new Set<string>();
    const toAdd: { identityId: string; entitlementId: string }[] = [];
    for (const p of principals) {
      const identityId = identityIdByArn.get(p.arn)!;
      for (const ref of heldRefs(inv, p)) {
        const entitlementId = entIdByRef.get(ref);
        if (!entitlementId) continue;
        const key = `${identityId}|${entitlementId}`;
        wanted.add(key);
        if (live.has(key)) summary.grants.kept++;
        else toAdd.push({ identityId, entitlementId });
      }
    }
    await createImportedGrants(tx, actor, toAdd, {
      source: AWS_IAM_SOURCE,
      ref: `${AWS_IAM_SOURCE}:${inv.accountId}`,
      reason: `Held in AWS account ${inv.accountId} at import`,
      at: now,
    });
    summary.grants.added = toAdd.length;
    phase("grants");
    const gone = imported.filter((g) => !wanted.has(g.key));
    // Identities and entitlements the export no longer has.
    const vanishedIdentities = existingIds.filter(
      (i) => i.externalId?.startsWith("arn:aws:iam::") && !identityIdByArn.has(i.externalId) && i.status === "active",
    );
    // Entitlements the export no longer has, among those still holding permissions (their documents are read only now:
    // the permissions of every entitlement are tens of megabytes).
    const absent = existingEnts.filter((e) => e.externalRef && !desired.has(e.externalRef));
    const vanishedPermissions = await permissionsOf(
      tx,
      absent.map((e) => e.id),
    );
    const vanishedEnts = absent.filter((e) => (vanishedPermissions.get(e.id)?.length ?? 0) > 0);
    const ended = await revokeGrants(
      tx,
      actor,
      gone.map((g) => g.id),
      { source: "lifecycle", sourceRef: `${AWS_IAM_SOURCE}:${inv.accountId}`, reason: "No longer held in AWS IAM (import)" },
    );
    if (ended.length) {
      // The import itself observed the access gone from AWS: nothing is left to enforce downstream.
      await tx
        .update(remediations)
        .set({ status: "confirmed", confirmedAt: now, detail: "Absent from the AWS IAM export", updatedAt: now })
        .where(
          and(
            inArray(
              remediations.grantId,
              ended.map((g) => g.id),
            ),
            eq(remediations.status, "pending"),
          ),
        );
    }
    summary.grants.removed = ended.length;
    for (const i of vanishedIdentities) await decommissionImportedIdentity(tx, actor, i, "No longer in AWS IAM", AWS_IAM_SOURCE, now);
    summary.identities.removed = vanishedIdentities.length;
    for (const e of vanishedEnts) {
      await tx
        .update(entitlements)
        .set({ permissions: [], description: `${e.description ?? ""} (no longer in AWS IAM)`.trim(), updatedAt: now })
        .where(eq(entitlements.id, e.id));
      await recordAudit(tx, actor, {
        action: "entitlement.retired",
        entityType: "entitlement",
        entityId: e.id,
        before: { permissions: vanishedPermissions.get(e.id) ?? null },
        after: { permissions: [], source: AWS_IAM_SOURCE },
      });
      summary.entitlements.removed++;
    }
    if (scps) {
      const before = await tx
        .select({ level: awsServiceControlPolicies.level, name: awsServiceControlPolicies.name })
        .from(awsServiceControlPolicies)
        .where(eq(awsServiceControlPolicies.systemId, system.id));
      await tx.delete(awsServiceControlPolicies).where(eq(awsServiceControlPolicies.systemId, system.id));
      const rows = scps.flatMap((level, l) => level.map((p) => ({ systemId: system.id, level: l, name: p.name, statements: p.statements, importedAt: now })));
      if (rows.length) await tx.insert(awsServiceControlPolicies).values(rows);
      summary.scps = rows.length;
      await recordAudit(tx, actor, {
        action: "aws_scps.replaced",
        entityType: "system",
        entityId: system.id,
        before: { policies: before },
        after: { policies: rows.map((r) => ({ level: r.level, name: r.name })), source: AWS_IAM_SOURCE },
      });
    }
    phase("removed");
    // A first import of a large account multiplies these tables: the planner's statistics follow at once
    // (autovacuum would catch up only later, after the analysis that follows has run on guesses).
    if (summary.identities.created + summary.entitlements.created + summary.grants.added >= BULK_ROWS)
      await tx.execute(sql`analyze ${identities}, ${entitlements}, ${grants}`);
    // Who can become what follows the inventory: the escalation analysis runs after the commit.
    await requestEscalationAnalysis(tx);
    await recordAudit(tx, actor, {
      action: "import.aws_iam",
      entityType: "system",
      entityId: system.id,
      after: {
        accountId: inv.accountId,
        identities: summary.identities,
        entitlements: summary.entitlements,
        grants: summary.grants,
        warnings: warnings.length,
      },
    });
    phase("audit");
    return summary;
  });
}

const importRequest = z
  .object({
    authorizationDetails: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
      message: "Send the JSON of `aws iam get-account-authorization-details` (one object, or its pages as an array).",
    }),
    credentialReport: z.string({ message: "The credential report is the decoded CSV, as text." }).optional(),
    scps: z.unknown().optional(),
  })
  .strict();

/**
 * The import through the API (POST /api/v1/imports/aws-iam), for an admin:
 * the same import as `gov import aws-iam`, audited as the admin. For
 * deployments whose database the CLI cannot open while the app runs.
 */
export async function importAwsIamBy(db: Db, caller: Caller, raw: unknown): Promise<IamImportSummary> {
  requireRole(caller, "admin");
  const input = parseInput(importRequest, raw);
  // The parsers' own words for a malformed export, as a 422 naming the field (the import parses them again).
  const check = (field: string, parse: () => unknown) => {
    try {
      parse();
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      throw new ValidationError({ [field]: [(e as Error).message] });
    }
  };
  check("authorizationDetails", () => parseAuthorizationDetails(input.authorizationDetails));
  if (input.credentialReport !== undefined) check("credentialReport", () => parseCredentialReport(input.credentialReport!));
  if (input.scps !== undefined) check("scps", () => parseServiceControlPolicies(input.scps));
  return importAwsIam(db, {
    authorizationDetails: input.authorizationDetails,
    credentialReport: input.credentialReport,
    scps: input.scps,
    actor: actorOf(caller),
  });
}
