import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { identities, systems } from "@/db/schema";
import { permissionSetOf, type PermissionSet } from "@/lib/reconciliation/permissions";
import { recordUsage, type UsageEventInput } from "@/lib/usage/record";
import { observability } from "./aws/catalogue";
import { classifyRecord, readCloudTrail } from "./aws/cloudtrail";

export const CLOUDTRAIL_SOURCE = "cloudtrail";

export type TrailImportSummary = {
  files: number;
  unreadableFiles: { file: string; error: string }[];
  records: number;
  usage: { inserted: number; duplicates: number; denied: number };
  skipped: Record<string, number>;
  /** Principals seen in the logs that the inventory does not have (import their account's IAM first), most active first. */
  unknownPrincipals: { principal: string; records: number }[];
  dataEventServices: string[];
  elapsedMs: number;
};

type Known = { identityId: string; systemId: string };

/** Users and roles of every AWS account in the inventory, keyed as CloudTrail principals are. */
async function principalIndex(db: Db) {
  const rows = await db
    .select({ id: identities.id, name: identities.name, kind: identities.kind, attributes: identities.attributes, systemId: systems.id, accountId: systems.externalId })
    .from(identities)
    .innerJoin(systems, eq(systems.id, identities.systemId))
    .where(sql`${systems.kind} = 'aws_account' and ${identities.status} <> 'decommissioned'`);
  const index = new Map<string, Known>();
  for (const r of rows) {
    const type = (r.attributes as { iamType?: string }).iamType ?? (r.kind === "workload_role" ? "role" : "user");
    index.set(`${r.accountId}:${type}:${r.name}`, { identityId: r.id, systemId: r.systemId });
  }
  const accounts = new Map<string, string>();
  for (const r of rows) if (r.accountId) accounts.set(r.accountId, r.systemId);
  const systemRows = await db.select({ id: systems.id, accountId: systems.externalId }).from(systems).where(eq(systems.kind, "aws_account"));
  for (const s of systemRows) if (s.accountId) accounts.set(s.accountId, s.id);
  return { index, accounts };
}

/**
 * Imports CloudTrail log files (`{"Records": [...]}`, .json or .json.gz,
 * directories searched recursively). Each record by a known IAM user or role
 * becomes a usage event of the action it exercised, attributed to the
 * entitlement that approves that action for the principal (none: used
 * without approval); records with an error code are denied attempts. Calls by
 * AWS services and anonymous callers are attributed to nobody. Principals
 * absent from the inventory are counted and reported. Events are folded into
 * the roll-ups as they are stored, in batches, each batch its own transaction;
 * re-importing the same files changes nothing.
 */
export async function importCloudTrail(db: Db, paths: string[], opts: { batchSize?: number; onBatch?: (s: TrailImportSummary) => void } = {}): Promise<TrailImportSummary> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? 5000;
  const { index, accounts } = await principalIndex(db);
  const permissions = new Map<string, PermissionSet>();
  const summary: TrailImportSummary = { files: 0, unreadableFiles: [], records: 0, usage: { inserted: 0, duplicates: 0, denied: 0 }, skipped: {}, unknownPrincipals: [], dataEventServices: [], elapsedMs: 0 };
  const unknown = new Map<string, number>();
  const dataDays = new Set<string>();
  const dataServices = new Set<string>();
  let buffer: UsageEventInput[] = [];

  const flush = async () => {
    if (buffer.length === 0) return;
    const events = buffer;
    buffer = [];
    // Permission sets are loaded before the transaction: PGlite has one connection.
    for (const id of new Set(events.map((e) => e.identityId))) if (!permissions.has(id)) permissions.set(id, await permissionSetOf(db, id));
    for (const e of events) e.entitlementId = permissions.get(e.identityId)!.approvalFor(e.action);
    const days = [...dataDays];
    dataDays.clear();
    const result = await db.transaction(async (tx) => {
      if (days.length) {
        const rows = days.map((d) => d.split("|"));
        await tx.execute(sql`insert into data_event_days (system_id, service, day)
          select s, v, d::date from json_to_recordset((${JSON.stringify(rows.map(([s, v, d]) => ({ s, v, d })))}::text)::json) as j(s uuid, v text, d text)
          on conflict do nothing`);
      }
      return recordUsage(tx, events);
    });
    summary.usage.inserted += result.inserted;
    summary.usage.duplicates += result.duplicates;
    opts.onBatch?.(summary);
  };

  for await (const file of readCloudTrail(paths)) {
    summary.files++;
    if ("error" in file) {
      summary.unreadableFiles.push(file);
      continue;
    }
    for (const record of file.records) {
      summary.records++;
      const r = classifyRecord(record);
      if ("skip" in r) {
        summary.skipped[r.skip] = (summary.skipped[r.skip] ?? 0) + 1;
        if (r.skip === "unattributable" && r.principalKey) unknown.set(r.principalKey, (unknown.get(r.principalKey) ?? 0) + 1);
        continue;
      }
      const known = index.get(r.principal.key);
      if (!known) {
        summary.skipped["unknown-principal"] = (summary.skipped["unknown-principal"] ?? 0) + 1;
        const label = r.principal.arn ?? r.principal.key;
        unknown.set(label, (unknown.get(label) ?? 0) + 1);
        continue;
      }
      if (r.outcome === "denied") summary.usage.denied++;
      if (r.dataEvent) {
        const service = r.action.slice(0, r.action.indexOf(":"));
        const systemId = accounts.get(r.accountId) ?? known.systemId;
        dataServices.add(service);
        if (observability(r.action, new Set()) === "data-event") dataDays.add(`${systemId}|${service}|${r.occurredAt.toISOString().slice(0, 10)}`);
      }
      buffer.push({
        eventId: r.eventId,
        source: CLOUDTRAIL_SOURCE,
        identityId: known.identityId,
        entitlementId: null,
        systemId: known.systemId,
        action: r.action,
        outcome: r.outcome,
        sessionId: r.sessionName,
        occurredAt: r.occurredAt,
      });
      if (buffer.length >= batchSize) await flush();
    }
  }
  await flush();
  summary.unknownPrincipals = [...unknown.entries()].sort((a, b) => b[1] - a[1]).map(([principal, records]) => ({ principal, records }));
  summary.dataEventServices = [...dataServices].sort();
  summary.elapsedMs = performance.now() - started;
  return summary;
}
