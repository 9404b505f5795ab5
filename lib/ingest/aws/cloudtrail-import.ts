import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { identities, systems } from "@/db/schema";
import { loadCatalogue, observability, type ActionCatalogue } from "@/lib/permissions/aws/catalogue";
import { importUsage } from "@/lib/usage/import";
import type { PrincipalIndex, UsageSource } from "@/lib/usage/source";
import { iamTypeOf } from "../import-aws-iam";
import { classifyRecord, readCloudTrail } from "./cloudtrail";

export const CLOUDTRAIL_SOURCE = "cloudtrail";

// Asked with no data-event services seen, observability() says whether an action is a data-event action at all.
const NO_SERVICES: ReadonlySet<string> = new Set();

/** Users and roles of every AWS account in the inventory, keyed as CloudTrail principals are; every AWS account by its id. */
async function principalIndex(db: Db): Promise<PrincipalIndex> {
  const [rows, accountRows] = await Promise.all([
    db
      .select({
        id: identities.id,
        name: identities.name,
        kind: identities.kind,
        attributes: identities.attributes,
        systemId: systems.id,
        accountId: systems.externalId,
      })
      .from(identities)
      .innerJoin(systems, eq(systems.id, identities.systemId))
      .where(sql`${systems.kind} = 'aws_account' and ${identities.status} <> 'decommissioned'`),
    db.select({ id: systems.id, accountId: systems.externalId }).from(systems).where(eq(systems.kind, "aws_account")),
  ]);
  const index: PrincipalIndex = { identities: new Map(), systems: new Map() };
  for (const r of rows) index.identities.set(`${r.accountId}:${iamTypeOf(r)}:${r.name}`, { identityId: r.id, systemId: r.systemId });
  for (const s of accountRows) if (s.accountId) index.systems.set(s.accountId, s.id);
  return index;
}

/**
 * CloudTrail log files (`{"Records": [...]}`, .json or .json.gz, directories
 * searched recursively). Calls by AWS services and anonymous callers are
 * nobody's; records with an error code are denied attempts; data events
 * (S3 objects, Lambda invocations) show the account logs that service's data
 * calls, so a day without them is a day without use. A record is use of every
 * action that authorizes it (a copy reads its source too), each one an action
 * of AWS's catalogue, in AWS's spelling: an event that maps to no catalogued
 * action is skipped and counted by name, never stored as an action that does
 * not exist.
 */
function cloudTrailSource(): UsageSource {
  let catalogue: ActionCatalogue | null = null;
  // The catalogue's spelling of each action seen, or null when it has none: one lookup per distinct action.
  const spelled = new Map<string, string | null>();
  const canonical = (action: string) => {
    let hit = spelled.get(action);
    if (hit === undefined) spelled.set(action, (hit = catalogue!.canonical(action) ?? null));
    return hit;
  };
  return {
    tag: CLOUDTRAIL_SOURCE,
    read: readCloudTrail,
    prepare: async () => {
      catalogue = await loadCatalogue();
    },
    classify(record) {
      const r = classifyRecord(record);
      if ("skip" in r) return { skip: r.skip, principal: r.skip === "unattributable" ? r.principalKey : undefined };
      const action = canonical(r.action);
      if (!action) return { skip: "unmapped-event", detail: `${r.eventSource.replace(/\.amazonaws\.com$/, "")} ${r.eventName}` };
      const service = action.slice(0, action.indexOf(":"));
      return {
        eventId: r.eventId,
        principal: { key: r.principal.key, label: r.principal.arn ?? r.principal.key },
        action,
        alsoActions: r.alsoActions.length ? r.alsoActions.map((a) => canonical(a)).filter((a): a is string => !!a) : undefined,
        outcome: r.outcome,
        occurredAt: r.occurredAt,
        sessionId: r.sessionName,
        coverage: r.dataEvent ? { service, system: r.accountId, complete: observability(action, NO_SERVICES) === "data-event" } : undefined,
      };
    },
    principals: principalIndex,
  };
}

/** Imports CloudTrail log files through the shared usage pipeline (lib/usage/import.ts). */
export const importCloudTrail = (db: Db, paths: string[], opts?: Parameters<typeof importUsage>[3]) => importUsage(db, cloudTrailSource(), paths, opts);
