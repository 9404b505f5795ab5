import { and, count, desc, eq, inArray, isNull, ne, sql, type SQL } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { entitlements, findingKinds, findings, findingTallies, grants, identities, identityKinds, systems, type FindingKind } from "@/db/schema";
import { queryRows } from "@/db/rows";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { createTargetedReview } from "@/lib/certification/targeted";
import { ConflictError, NotFoundError, ValidationError, parseInput, withoutBlanks } from "@/lib/errors";
import { streamRows, type ExportFormat } from "@/lib/exports/stream";
import { convertInTransaction } from "@/lib/jit/convert";
import { enqueue } from "@/lib/jobs/enqueue";
import { DEBOUNCE_MS, RECONCILE_QUEUE, requestReconciliation } from "@/lib/findings/refresh";
import { likePattern, offsetOf, pageFields, paged } from "@/lib/paging";
import { revokeGrants } from "@/lib/revocation/revoke";
import { pathClassById } from "@/lib/escalation/catalogue";
import { stepsOf } from "@/lib/escalation/steps";
import { frameworkControls } from "./frameworks";
import { text } from "@/lib/validation/fields";

/** Who reads findings: the people who govern and audit access. */
export const FINDING_READERS = ["admin", "auditor"] as const;
/**
 * Queues a pass now, at an admin's request, instead of waiting for the hourly
 * one; requests within one 5-second window share it. True when this request
 * queued it.
 */
export async function queueReconciliationNow(db: Db, caller: Caller): Promise<boolean> {
  requireRole(caller, "admin");
  const id = await auditedTransaction(db, (tx) => enqueue(tx, RECONCILE_QUEUE, {}, { key: `manual:${Math.floor(Date.now() / DEBOUNCE_MS)}` }));
  return id !== null;
}

const severities = ["low", "medium", "high", "critical"] as const;

export const findingQuery = z.object({
  kind: z.enum(findingKinds, { message: `Kind is one of: ${findingKinds.join(", ")}.` }).optional(),
  severity: z.enum(severities, { message: "Severity is low, medium, high or critical." }).optional(),
  status: z.enum(["open", "resolved", "accepted", "all"], { message: "Status is open, resolved, accepted or all." }).default("open"),
  systemId: z.uuid("The system must be an id.").optional(),
  identityId: z.uuid("The identity must be an id.").optional(),
  identityKind: z.enum(identityKinds, { message: `Identity kind is one of: ${identityKinds.join(", ")}.` }).optional(),
  control: z.enum(frameworkControls.map((c) => c.id) as [string, ...string[]], { message: "Unknown framework control." }).optional(),
  // Escalation findings whose path starts with this class (its first step past holding admin: identity_escalations.path_class).
  pathClass: z
    .enum([...pathClassById.keys()] as [string, ...string[]], {
      message: `Path class is one of the catalogue's: ${[...pathClassById.keys()].join(", ")}.`,
    })
    .optional(),
  q: text().trim().max(200, "Keep the search under 200 characters.").optional(),
  ...pageFields,
});

const subject = alias(identities, "subject");

/** A search matching more findings than this counts "1,000+" (the first 1,000 matches it finds), never a wrong number. */
export const SEARCH_COUNT_CAP = 1000;
/** Names matching more identities (or entitlements) than this are matched finding by finding, not as a list of ids. */
const NAME_LIST_CAP = 2000;

/**
 * The identities and entitlements whose names a search matches, found once for
 * a request's queries; null for a side matching more than NAME_LIST_CAP (a
 * broad word), which is then matched on each finding read.
 */
type NameMatches = { identityIds: string[] | null; entitlementIds: string[] | null };

async function namesMatching(db: Tx, text: string): Promise<NameMatches> {
  const p = likePattern(text);
  const [ids, ents] = await Promise.all([
    db
      .select({ id: identities.id })
      .from(identities)
      .where(sql`${identities.name} ilike ${p} or ${identities.displayName} ilike ${p}`)
      .limit(NAME_LIST_CAP + 1),
    db
      .select({ id: entitlements.id })
      .from(entitlements)
      .where(sql`${entitlements.name} ilike ${p}`)
      .limit(NAME_LIST_CAP + 1),
  ]);
  const list = (rows: { id: string }[]) => (rows.length > NAME_LIST_CAP ? null : rows.map((r) => r.id));
  return { identityIds: list(ids), entitlementIds: list(ents) };
}

/** A search over a finding's subject and entitlement by the names matched, or on the finding itself for a broad word. */
function namesCondition(p: string, names: NameMatches): SQL {
  // Scalar subqueries, so each is evaluated for the findings read (the first page's few hundred), never hashed over every name.
  const subject =
    names.identityIds === null
      ? sql`coalesce((select (i.name ilike ${p} or i.display_name ilike ${p}) from ${identities} i where i.id = ${findings.identityId}), false)`
      : sql`${findings.identityId} = any(${`{${names.identityIds.join(",")}}`}::uuid[])`;
  const entitlement =
    names.entitlementIds === null
      ? sql`coalesce((select e.name ilike ${p} from ${entitlements} e where e.id = ${findings.entitlementId}), false)`
      : sql`${findings.entitlementId} = any(${`{${names.entitlementIds.join(",")}}`}::uuid[])`;
  return sql`(${findings.title} ilike ${p} or ${subject} or ${entitlement})`;
}

function whereOf(q: z.output<typeof findingQuery>, names?: NameMatches): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (q.status !== "all") where.push(eq(findings.status, q.status));
  if (q.kind) where.push(eq(findings.kind, q.kind));
  if (q.severity) where.push(eq(findings.severity, q.severity));
  if (q.systemId) where.push(eq(findings.systemId, q.systemId));
  if (q.identityId) where.push(eq(findings.identityId, q.identityId));
  // Conditions on the subject as semi-joins, so that counting needs no join.
  if (q.identityKind) where.push(sql`exists (select 1 from ${identities} h where h.id = ${findings.identityId} and h.kind = ${q.identityKind})`);
  if (q.control) {
    // The control's kinds; OWASP's NHI controls only for non-human subjects (a semi-join, so counting needs no join).
    const control = frameworkControls.find((c) => c.id === q.control)!;
    where.push(inArray(findings.kind, control.kinds));
    if (control.applies === "nhi") where.push(sql`not exists (select 1 from ${identities} h where h.id = ${findings.identityId} and h.kind = 'human')`);
  }
  if (q.pathClass) where.push(eq(findings.kind, "escalation_to_admin"), sql`${findings.details}->>'pathClass' = ${q.pathClass}`);
  if (q.q) {
    // The subject's name or display name, the title, or the entitlement's name: names are matched once, not
    // joined for every finding.
    const p = likePattern(q.q);
    where.push(
      names
        ? namesCondition(p, names)
        : sql`(${findings.title} ilike ${p}
            or ${findings.identityId} in (select i.id from ${identities} i where i.name ilike ${p} or i.display_name ilike ${p})
            or ${findings.entitlementId} in (select e.id from ${entitlements} e where e.name ilike ${p}))`,
    );
  }
  return and(...where);
}

const joined = <T extends PgSelect>(qb: T) =>
  qb
    .innerJoin(subject, eq(subject.id, findings.identityId))
    .leftJoin(entitlements, eq(entitlements.id, findings.entitlementId))
    .leftJoin(systems, eq(systems.id, findings.systemId));

/**
 * Most severe first (the severity enum runs low → critical, so its order is
 * the severity's rank), then most recently seen: the order of the
 * (status, severity, last_seen_at, id) and (status, kind, severity, …) indexes.
 */
const mostSevereFirst = [desc(findings.severity), desc(findings.lastSeenAt), desc(findings.id)];

const rowColumns = {
  id: findings.id,
  kind: findings.kind,
  severity: findings.severity,
  status: findings.status,
  title: findings.title,
  source: findings.source,
  details: findings.details,
  identityId: findings.identityId,
  identityName: sql<string>`case when ${subject.kind} = 'human' then ${subject.displayName} else ${subject.name} end`,
  identityKind: subject.kind,
  entitlementId: findings.entitlementId,
  entitlementName: entitlements.name,
  privilegeLevel: entitlements.privilegeLevel,
  systemName: systems.name,
  grantId: findings.grantId,
  firstSeenAt: findings.firstSeenAt,
  lastSeenAt: findings.lastSeenAt,
  resolvedAt: findings.resolvedAt,
  resolution: findings.resolution,
  // What the admin can do about it from the list.
  revocable: sql<boolean>`exists (select 1 from ${grants} g where g.identity_id = ${findings.identityId} and g.entitlement_id = ${findings.entitlementId} and g.revoked_at is null and g.type <> 'eligible')`,
  convertible: sql<boolean>`exists (select 1 from ${grants} g where g.identity_id = ${findings.identityId} and g.entitlement_id = ${findings.entitlementId} and g.revoked_at is null and g.type = 'standing') and ${entitlements.privilegeLevel} <> 'standard'`,
};

/**
 * Counts by kind under every filter but the kind. Filters on what the tallies
 * hold (status, severity, system, kind of subject, a control's kinds) sum the
 * tallies the triggers keep (a few hundred rows, whatever the number of
 * findings); a subject, a path class or a search counts the findings.
 */
async function countsByKind(db: Tx, q: z.output<typeof findingQuery>): Promise<{ kind: FindingKind; n: number }[]> {
  if (q.identityId || q.pathClass)
    return db
      .select({ kind: findings.kind, n: count() })
      .from(findings)
      .where(whereOf({ ...q, kind: undefined }))
      .groupBy(findings.kind);
  const t = findingTallies;
  const control = q.control ? frameworkControls.find((c) => c.id === q.control)! : null;
  return db
    .select({ kind: t.kind, n: sql<number>`sum(${t.n})::int`.mapWith(Number) })
    .from(t)
    .where(
      and(
        q.status !== "all" ? eq(t.status, q.status) : undefined,
        q.severity ? eq(t.severity, q.severity) : undefined,
        q.systemId ? eq(t.systemId, q.systemId) : undefined,
        q.identityKind ? eq(t.identityKind, q.identityKind) : undefined,
        control ? inArray(t.kind, control.kinds) : undefined,
        control?.applies === "nhi" ? ne(t.identityKind, "human") : undefined,
      ),
    )
    .groupBy(t.kind)
    .having(sql`sum(${t.n}) > 0`);
}

/** A search's counts by kind, of its first SEARCH_COUNT_CAP + 1 matches; `capped` when there are more (the counts are then lower bounds). */
async function searchCounts(db: Tx, q: z.output<typeof findingQuery>, names: NameMatches) {
  const rows = await queryRows<{ kind: FindingKind; n: number }>(
    db,
    sql`select m.kind, count(*)::int as n from (select ${findings.kind} from ${findings} where ${whereOf(q, names)} limit ${SEARCH_COUNT_CAP + 1}) m group by m.kind`,
  );
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  return { byKind: rows, capped: total > SEARCH_COUNT_CAP };
}

/**
 * Findings, filtered and paginated on the server, most severe and most recent
 * first, with counts by kind; a search's counts stop at SEARCH_COUNT_CAP
 * (`countsCapped`: each count is then "at least").
 */
export async function listFindings(db: Tx, caller: Caller, raw: unknown) {
  requireRole(caller, ...FINDING_READERS);
  const q = parseInput(findingQuery, withoutBlanks(raw));
  const names = q.q ? await namesMatching(db, q.q) : undefined;
  const where = whereOf(q, names);
  // The page in list order, walking the (status, severity, last_seen_at) index until it is full: what a list
  // without a search, or with one matching many findings, reads.
  const inOrder = () =>
    joined(db.select(rowColumns).from(findings).$dynamic())
      .where(where)
      .orderBy(...mostSevereFirst)
      .limit(q.pageSize)
      .offset(offsetOf(q));
  // A search matching few findings: the page is taken from its matches (a scan, sorting at most
  // SEARCH_COUNT_CAP of them) rather than by walking the whole list in order until enough rows match.
  const fromMatches = () =>
    joined(db.select(rowColumns).from(findings).$dynamic())
      .where(
        sql`${findings.id} in (select m.id from (select "findings"."id", "findings"."severity", "findings"."last_seen_at" from ${findings} where ${where} offset 0) m
          order by m.severity desc, m.last_seen_at desc, m.id desc limit ${q.pageSize} offset ${offsetOf(q)})`,
      )
      .orderBy(...mostSevereFirst);
  let rows: Awaited<ReturnType<typeof inOrder>>;
  let byKind: { kind: FindingKind; n: number }[];
  let n: number;
  let capped = false;
  if (!q.q) {
    [rows, byKind] = await Promise.all([inOrder(), countsByKind(db, q)]);
    n = q.kind ? (byKind.find((k) => k.kind === q.kind)?.n ?? 0) : byKind.reduce((sum, k) => sum + k.n, 0);
  } else {
    // A search's counts are of its first SEARCH_COUNT_CAP + 1 matches: past the cap they say "at least". The
    // tabs count the matches of every kind; the total, those of the kind chosen, counted apart.
    const counting = Promise.all([searchCounts(db, { ...q, kind: undefined }, names!), q.kind ? searchCounts(db, q, names!) : null]);
    counting.catch(() => {});
    // A broad word (too many names to list) is known to match many findings: the page is read meanwhile.
    const broad = names!.identityIds === null || names!.entitlementIds === null;
    const page = broad ? inOrder().then((r) => r) : null;
    page?.catch(() => {});
    const [tabs, chosen] = await counting;
    const counted = chosen ?? tabs;
    byKind = tabs.byKind;
    capped = tabs.capped || counted.capped;
    n = Math.min(
      SEARCH_COUNT_CAP,
      counted.byKind.reduce((sum, k) => sum + k.n, 0),
    );
    rows = await (page ?? (counted.capped ? inOrder() : fromMatches()));
  }
  // An escalation's path as people read it: each step with its actions and the statements allowing them.
  const withPaths = rows.map((r) => ({ ...r, path: r.kind === "escalation_to_admin" ? stepsOf((r.details as { path?: unknown }).path) : null }));
  const result = paged(withPaths, n, q);
  // Past the cap the count is a floor: a full page always offers the next one.
  if (capped && rows.length === q.pageSize) result.pageCount = Math.max(result.pageCount, q.page + 1);
  return { ...result, byKind: Object.fromEntries(byKind.map((k) => [k.kind, k.n])), countsCapped: capped };
}
export type FindingRow = Awaited<ReturnType<typeof listFindings>>["rows"][number];

export const findingAction = z
  .object({
    findingIds: z.array(z.uuid("Each finding must be an id.")).min(1, "Choose at least one finding.").max(500, "Act on at most 500 findings at once."),
    action: z.enum(["revoke", "review", "convert", "accept"], { message: "Act by revoke, review, convert or accept." }),
    reason: text().trim().max(2000, "Keep the reason under 2,000 characters.").optional(),
    reviewerId: z.uuid("Choose who reviews.").optional(),
  })
  .strict()
  .refine((a) => a.action !== "revoke" || (a.reason?.length ?? 0) >= 3, { message: "Say why the access is revoked.", path: ["reason"] })
  .refine((a) => a.action !== "accept" || (a.reason?.length ?? 0) >= 3, { message: "Say why the risk is accepted.", path: ["reason"] })
  .refine((a) => a.action !== "review" || a.reviewerId, { message: "Choose who reviews.", path: ["reviewerId"] });

/**
 * Acting on selected findings, all or nothing: revoke the access behind them
 * (through the revocation path), open a targeted certification of it, convert
 * standing privilege to just-in-time eligibility, or accept the risk with a
 * reason. Findings that are resolved by the action say so at once; a
 * reconciliation pass is queued so the figures follow.
 */
export async function actOnFindings(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(findingAction, raw);
  const ids = [...new Set(input.findingIds)];
  return auditedTransaction(db, async (tx) => {
    const rows = await tx.select().from(findings).where(inArray(findings.id, ids)).for("update");
    if (rows.length !== ids.length) throw new NotFoundError("Finding");
    const closed = rows.filter((f) => f.status !== "open");
    if (closed.length && input.action !== "accept")
      throw new ConflictError(`${closed.length} of these findings ${closed.length === 1 ? "is" : "are"} no longer open.`);
    const actor = actorOf(caller);
    const now = new Date();
    // The live grants behind pair-level findings.
    const pairs = rows.filter((f) => f.entitlementId);
    const live = pairs.length
      ? await tx
          .select({ id: grants.id, type: grants.type, identityId: grants.identityId, entitlementId: grants.entitlementId })
          .from(grants)
          .where(
            and(
              isNull(grants.revokedAt),
              sql`${grants.type} <> 'eligible'`,
              sql`(${grants.identityId}, ${grants.entitlementId}) in (${sql.join(
                pairs.map((f) => sql`(${f.identityId}::uuid, ${f.entitlementId}::uuid)`),
                sql`, `,
              )})`,
            ),
          )
      : [];
    const grantsOf = (f: (typeof rows)[number]) => live.filter((g) => g.identityId === f.identityId && g.entitlementId === f.entitlementId);
    const resolve = async (list: typeof rows, resolution: string, status: "resolved" | "accepted" = "resolved") => {
      if (list.length === 0) return;
      await tx
        .update(findings)
        .set({ status, resolvedAt: now, resolvedById: caller.identityId, resolution, updatedAt: now })
        .where(
          inArray(
            findings.id,
            list.map((f) => f.id),
          ),
        );
      await recordAudit(
        tx,
        actor,
        list.map((f) => ({ action: `finding.${status}`, entityType: "finding", entityId: f.id, before: { status: f.status }, after: { status, resolution } })),
      );
    };

    let result: Record<string, unknown> = {};
    if (input.action === "accept") {
      await resolve(rows, `Risk accepted: ${input.reason}`, "accepted");
      result = { accepted: rows.length };
    } else if (input.action === "revoke") {
      const without = rows.filter((f) => grantsOf(f).length === 0);
      if (without.length)
        throw new ValidationError({
          findingIds: [
            `${without.length} of these ${without.length === 1 ? "has" : "have"} no live grant to revoke (orphans, credentials and action-level findings are handled on the identity).`,
          ],
        });
      const sourceRefs = new Map(rows.flatMap((f) => grantsOf(f).map((g) => [g.id, f.id] as const)));
      const ended = await revokeGrants(tx, actor, [...sourceRefs.keys()], { source: "admin", sourceRefs, reason: input.reason! });
      await resolve(rows, `Revoked by ${caller.name}: ${input.reason}`);
      result = { revoked: ended.length };
    } else if (input.action === "convert") {
      const standing = rows.flatMap((f) => grantsOf(f).filter((g) => g.type === "standing"));
      if (standing.length === 0) throw new ValidationError({ findingIds: ["None of these findings is about a standing grant."] });
      const converted = await convertInTransaction(tx, caller, { grantIds: [...new Set(standing.map((g) => g.id))], reason: input.reason });
      await resolve(
        rows.filter((f) => grantsOf(f).some((g) => g.type === "standing")),
        `Converted to just-in-time eligibility by ${caller.name}`,
      );
      result = converted;
    } else {
      const grantIds = [...new Set(rows.flatMap((f) => grantsOf(f).map((g) => g.id)))];
      const identityIds = [...new Set(rows.filter((f) => !f.entitlementId).map((f) => f.identityId))];
      const review = await createTargetedReview(tx, actor, {
        name: `Review of ${rows.length} finding${rows.length === 1 ? "" : "s"} (${new Date().toISOString().slice(0, 10)})`,
        description: input.reason,
        grantIds,
        identityIds,
        reviewerId: input.reviewerId,
        fallbackReviewerId: caller.identityId,
        ownerId: caller.identityId,
      });
      await tx
        .update(findings)
        .set({ details: sql`${findings.details} || jsonb_build_object('reviewCampaignId', ${review.campaignId}::text)`, updatedAt: now })
        .where(inArray(findings.id, ids));
      result = review;
    }
    await requestReconciliation(tx);
    return { action: input.action, findings: rows.length, ...result };
  });
}

export const findingColumns = [
  "id",
  "kind",
  "severity",
  "status",
  "title",
  "identityName",
  "identityKind",
  "entitlementName",
  "privilegeLevel",
  "systemName",
  "source",
  "firstSeenAt",
  "lastSeenAt",
  "resolvedAt",
  "resolution",
  "details",
] as const;

/** Findings for auditors, as CSV or JSON, streamed in batches, with the list's filters. */
export function exportFindings(db: Tx, caller: Caller, raw: unknown, format: ExportFormat) {
  requireRole(caller, ...FINDING_READERS);
  const q = parseInput(findingQuery, withoutBlanks(raw));
  const where = whereOf(q);
  const batchSize = 5000;
  return streamRows({
    format,
    filename: `findings-${new Date().toISOString().slice(0, 10)}`,
    columns: findingColumns,
    header: { key: "export", value: { exportedAt: new Date(), filters: { ...q, page: undefined, pageSize: undefined } } },
    rowsKey: "findings",
    batchSize,
    next: async (after) => {
      const rows = await joined(db.select(rowColumns).from(findings).$dynamic())
        .where(and(where, after ? sql`${findings.id} > ${after}::uuid` : undefined))
        .orderBy(findings.id)
        .limit(batchSize);
      return rows.map((r) => ({ ...r, details: format === "csv" ? JSON.stringify(r.details) : r.details }));
    },
    cursorOf: (r) => r.id,
  });
}
