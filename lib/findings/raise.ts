import { createHash } from "node:crypto";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { queryColumns, queryRows } from "@/db/rows";
import { findings, type FindingKind } from "@/db/schema";
import { canonicalJson } from "@/db/json";

/**
 * The one place that says what a finding's identity is (its key) and how a
 * finding seen again merges into the one on record. Every detector raises
 * through here: reconciliation from SQL, the others from TypeScript.
 */

export type FindingInput = {
  kind: FindingKind;
  severity: "low" | "medium" | "high" | "critical";
  identityId: string;
  entitlementId?: string | null;
  grantId?: string | null;
  systemId?: string | null;
  source: string;
  title: string;
  details?: Record<string, unknown>;
  /** Distinguishes several findings of one kind about the same ids (a session id, say). */
  discriminator?: string;
};

/** The dedupe key: one finding per kind and subject, however often a detector sees it. */
export function findingKey(f: Pick<FindingInput, "kind" | "identityId" | "entitlementId" | "grantId" | "discriminator">): string {
  return [f.kind, f.identityId, f.entitlementId ?? "-", f.grantId ?? "-", f.discriminator ?? "-"].join(":");
}

/** findingKey in SQL, over columns of the detecting query (pinned equal to it by raise.test.ts). */
export function findingKeySql(kind: FindingKind, identity: SQL, entitlement: SQL | null, grant: SQL | null, discriminator: SQL | null = null): SQL {
  const part = (x: SQL | null) => sql`coalesce(${x ?? sql`null`}::text, '-')`;
  return sql`concat_ws(':', ${kind}::text, ${identity}::text, ${part(entitlement)}, ${part(grant)}, ${part(discriminator)})`;
}

/** How often a finding that has not changed still gets its last-seen time refreshed: a quiet run writes (almost) nothing. */
const REFRESH_LAST_SEEN = sql`interval '1 day'`;

/**
 * Merges rows into findings at `at`. `rows` is a query giving key, kind,
 * severity, identity_id, entitlement_id, grant_id, system_id, source, title
 * and details, one row per key. A new key opens a finding. One seen again
 * takes the new severity, title and details; a resolved one reopens (the risk
 * is back, and who resolved it is cleared); one a person accepted stays
 * accepted, since a detector does not undo a person's decision. Rows that have
 * not changed are written only to refresh a last-seen time older than a day.
 */
export async function mergeFindingRows(tx: Tx, rows: SQL, at: Date, opts: { digested?: boolean } = {}): Promise<{ opened: number; updated: number }> {
  const t = sql`${at.toISOString()}::timestamptz`;
  // Rows from SQL detectors carry no digest: theirs is then forgotten, and they are compared in full.
  const digest = opts.digested ? sql`r.raised_digest` : sql`null::text`;
  const [changes] = await queryRows<{ opened: number; updated: number }>(
    tx,
    sql`with merged as (
      insert into findings (key, kind, severity, identity_id, entitlement_id, grant_id, system_id, source, title, details, raised_digest, first_seen_at, last_seen_at)
      select r.key, r.kind, r.severity, r.identity_id, r.entitlement_id, r.grant_id, r.system_id, r.source, r.title, r.details, ${digest}, ${t}, ${t} from (${rows}) r
      on conflict (key) do update set
        severity = excluded.severity, title = excluded.title, details = excluded.details, raised_digest = excluded.raised_digest, last_seen_at = excluded.last_seen_at,
        status = case when findings.status = 'accepted' then findings.status else 'open'::finding_status end,
        resolved_at = case when findings.status = 'accepted' then findings.resolved_at else null end,
        resolved_by_id = case when findings.status = 'accepted' then findings.resolved_by_id else null end,
        resolution = case when findings.status = 'accepted' then findings.resolution else null end,
        updated_at = excluded.last_seen_at
      where findings.status = 'resolved' or findings.severity <> excluded.severity or findings.title <> excluded.title
        or findings.details <> excluded.details or findings.raised_digest is distinct from excluded.raised_digest
        or findings.last_seen_at < excluded.last_seen_at - ${REFRESH_LAST_SEEN}
      returning (xmax = 0) as inserted)
    select (count(*) filter (where inserted))::int as opened, (count(*) filter (where not inserted))::int as updated from merged`,
  );
  return changes;
}

/** What a detector said of a finding (severity, title, details), as one digest. */
const raisedDigestOf = (f: { severity: string; title: string; details: unknown }) =>
  createHash("sha256")
    .update(canonicalJson([f.severity, f.title, f.details]))
    .digest("base64url");

/**
 * Raises findings in the caller's transaction, merged as mergeFindingRows says;
 * the last of several with one key wins. Findings on record exactly as raised
 * (same digest, not resolved, seen within the day) are not sent again: a
 * detector that sees thousands of unchanged findings writes nothing.
 */
export async function raiseFindings(tx: Tx, list: FindingInput[]): Promise<void> {
  const now = new Date();
  const byKey = new Map(list.map((f) => [findingKey(f), f]));
  const rows = [...byKey].map(([key, f]) => {
    const details = f.details ?? {};
    return {
      key,
      kind: f.kind,
      severity: f.severity,
      identity_id: f.identityId,
      entitlement_id: f.entitlementId ?? null,
      grant_id: f.grantId ?? null,
      system_id: f.systemId ?? null,
      source: f.source,
      title: f.title,
      details,
      raised_digest: raisedDigestOf({ severity: f.severity, title: f.title, details }),
    };
  });
  const current = new Map<string, string>();
  for (let i = 0; i < rows.length; i += 5000) {
    const keys = rows.slice(i, i + 5000).map((r) => r.key);
    const found = await queryColumns<{ key: string; raised_digest: string }>(
      tx,
      sql`select key, raised_digest from findings where key = any(${sql.param(keys)}::text[])
        and raised_digest is not null and status <> 'resolved' and last_seen_at >= ${now.toISOString()}::timestamptz - ${REFRESH_LAST_SEEN}`,
      ["key", "raised_digest"],
    );
    for (const r of found) current.set(r.key, r.raised_digest);
  }
  const unique = rows.filter((r) => current.get(r.key) !== r.raised_digest);
  for (let i = 0; i < unique.length; i += 1000) {
    await mergeFindingRows(
      tx,
      sql`select * from json_to_recordset((${JSON.stringify(unique.slice(i, i + 1000))}::text)::json)
        as j(key text, kind finding_kind, severity finding_severity, identity_id uuid, entitlement_id uuid, grant_id uuid, system_id uuid, source text, title text, details jsonb, raised_digest text)`,
      now,
      { digested: true },
    );
  }
}

/**
 * Closes open findings whose cause is gone (the detector no longer sees them).
 * Accepted ones stay accepted: a person's decision is not undone by a detector.
 */
export async function resolveFindings(tx: Tx, keys: string[], resolution: string, resolvedById: string | null = null): Promise<number> {
  if (keys.length === 0) return 0;
  const now = new Date();
  let n = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const done = await tx
      .update(findings)
      .set({ status: "resolved", resolvedAt: now, resolvedById, resolution, updatedAt: now })
      .where(and(inArray(findings.key, keys.slice(i, i + 1000)), eq(findings.status, "open")))
      .returning({ id: findings.id });
    n += done.length;
  }
  return n;
}
