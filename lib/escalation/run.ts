import { hash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { canonicalJson } from "@/db/json";
import { queryColumns } from "@/db/rows";
import {
  awsServiceControlPolicies,
  credentials,
  entitlements,
  findings,
  grantIsActive,
  grants,
  identities,
  identityEscalations,
  systems,
  type PermissionStatement,
} from "@/db/schema";
import { findingKey, raiseFindings, resolveFindings, type FindingInput } from "@/lib/findings/raise";
import { AWS_IAM_SOURCE } from "@/lib/permissions/aws/source";
import { requestReconciliation } from "@/lib/findings/refresh";
import { READ_ONLY_MANAGED } from "@/lib/permissions/aws/privilege";
import { loadCatalogue } from "@/lib/permissions/aws/catalogue";
import { loadAccessLevels } from "@/lib/permissions/aws/access-levels";
import type { PolicySource } from "@/lib/permissions/aws/evaluate";
import { accountOf } from "@/lib/permissions/aws/match";
import { stepView } from "./steps";
import { analyze, type Capability, type ModelGroup, type ModelPrincipal, type OpenTrust, type PrincipalVerdict, type Step } from "./analyze";
import { kubernetesVerdicts, type K8sSubject } from "./k8s-run";
import { auditedTransaction } from "@/lib/audit/record";
import { phaseTimer } from "@/lib/timing";

/** Raised-by for the findings this analysis owns; it resolves its own and nobody else's. */
export const ESCALATION_SOURCE = "escalation";
/** Bumped when the analysis changes what it computes, so stored edges are not reused across versions. */
const ANALYSIS_VERSION = "5";
/** Verdict rows per INSERT statement. */
const WRITE_BATCH = 250;
const UPDATED_COLUMNS = [
  "systemId",
  "privilegeLevel",
  "holdsAdmin",
  "reachesAdmin",
  "pathConditional",
  "pathClass",
  "path",
  "reachableCount",
  "reachableIds",
  "inputsDigest",
  "capabilities",
  "ownLevel",
  "verdictDigest",
  "computedAt",
] as const;
/** How many reachable roles each identity keeps by id (the count is always exact). */
export const REACHABLE_KEPT = 200;

type Attributes = {
  source?: string;
  iamType?: "user" | "role";
  trustPolicy?: PermissionStatement[] | null;
  trustedPrincipals?: string[];
  instanceProfileArns?: string[];
  permissionsBoundaryArn?: string;
  groups?: string[];
};

/**
 * A role's trust policy. Imports before statements kept their principals
 * stored only who is trusted: rebuilt from that list as one unconditional
 * statement (a re-import restores the conditions).
 */
function trustOf(a: Attributes): PermissionStatement[] | null {
  if (a.iamType !== "role") return null;
  const trust = a.trustPolicy ?? [];
  if (trust.some((s) => s.principals || s.notPrincipals) || !a.trustedPrincipals?.length) return trust;
  const principals: Record<string, string[]> = {};
  for (const p of a.trustedPrincipals) {
    const type =
      p === "*" || (p.startsWith("arn:aws") && !p.includes(":oidc-provider/") && !p.includes(":saml-provider/")) || /^\d{12}$/.test(p)
        ? "AWS"
        : p.endsWith(".amazonaws.com")
          ? "Service"
          : "Federated";
    (principals[type] ??= []).push(p);
  }
  return [{ effect: "Allow", actions: ["sts:AssumeRole"], conditional: false, allResources: true, principals }];
}

/**
 * Stored edges, compactly: a principal's edges mostly differ only in their
 * target (one per role of a team it may assume, each citing the same
 * statement), so each edge is kept as its target and a template, the edge's
 * JSON with the target's ARN replaced by a marker.
 */
type CompactCapabilities = { t: string[]; e: [string, number][] };
const MARK = "\u0001";
const ESCAPED_MARK = "\\u0001";

function encodeCapabilities(caps: Capability[]): CompactCapabilities {
  const templates = new Map<string, number>();
  const e: [string, number][] = [];
  for (const c of caps) {
    // JSON never holds the marker raw (it escapes control characters), so the substitution is reversible.
    const template = JSON.stringify(c).split(c.to).join(MARK);
    let i = templates.get(template);
    if (i === undefined) templates.set(template, (i = templates.size));
    e.push([c.to, i]);
  }
  return { t: [...templates.keys()], e };
}

/** Edges as stored (compact, or a plain array as older runs wrote them); each edge's steps are rebuilt only when a path reads them. */
function decodeCapabilities(stored: unknown): Capability[] {
  if (Array.isArray(stored)) return stored as Capability[];
  const { t, e } = stored as CompactCapabilities;
  const shapes = t.map((template) => {
    // The marker raw is not JSON: parsed as its escape, which stringifying gives back.
    const shape = JSON.parse(template.split(MARK).join(ESCAPED_MARK)) as Capability;
    // Only the steps may name the target; an edge naming it anywhere else is rebuilt at once.
    const lazy = !JSON.stringify({ ...shape, to: "", actions: [] }).includes(ESCAPED_MARK);
    return { shape, lazy };
  });
  return e.map(([to, i]) => {
    const { shape, lazy } = shapes[i];
    if (!lazy) return JSON.parse(t[i].split(MARK).join(to)) as Capability;
    let actions: Capability["actions"] | undefined;
    return {
      ...shape,
      to,
      get actions() {
        return (actions ??= (JSON.parse(t[i].split(MARK).join(to)) as Capability).actions);
      },
    };
  });
}

const sha = (s: string) => hash("sha256", s, "hex");

export type EscalationSummary = {
  principals: number;
  recomputed: number;
  reachAdmin: number;
  changed: number;
  findingsOpen: number;
  elapsedMs: number;
  /** Milliseconds per phase (loading, edges, graph, writes, findings), for benchmarks and logs. */
  phases?: Record<string, number>;
};

/**
 * Analyses every imported AWS principal: loads the model from the inventory
 * (live grants only: a JIT window counts while it is open), reuses the stored
 * edges of principals whose inputs did not change, writes the verdicts that
 * changed, and raises or resolves the escalation findings. Safe to run again.
 */
export async function runEscalationAnalysis(db: Db, opts: { now?: Date } = {}): Promise<EscalationSummary> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const [catalogue, levels] = await Promise.all([loadCatalogue(), loadAccessLevels()]);
  return auditedTransaction(db, async (tx) => {
    // One analysis at a time: two would write the same rows.
    await tx.execute(sql`select pg_advisory_xact_lock(7244020)`);
    const { phases, phase, restart } = phaseTimer();
    const loaded = await loadModel(tx);
    // Principals gone from the inventory (decommissioned, deleted) leave the memo: it holds only what an analysis can reuse.
    forgetEdgesExcept(new Set(loaded.principals.map((p) => p.id)));
    phase("model");
    const k8s = await kubernetesVerdicts(tx);
    phase("kubernetes");
    if (loaded.principals.length === 0 && k8s.length === 0) {
      // Nothing analysed any more: what was raised or stored before goes, and the dashboard's figures follow.
      const gone = await tx.delete(identityEscalations).returning({ id: identityEscalations.identityId });
      const findingsOpen = await syncFindings(tx, []);
      if (gone.length) await requestReconciliation(tx);
      return { principals: 0, recomputed: 0, reachAdmin: 0, changed: 0, findingsOpen, elapsedMs: Date.now() - started };
    }

    // Every identity either analysis holds: their verdicts are read, written, and the only ones kept.
    const analysed = [...loaded.principals.map((p) => p.id), ...k8s.map((v) => v.id)];
    // What was stored of each principal, without its edges (the bulk of it): those are read below,
    // only for principals whose edges this process does not hold already.
    const stored = new Map(
      (
        await queryColumns<{
          identityId: string;
          inputsDigest: string;
          ownLevel: "privileged" | "standard";
          verdictDigest: string;
          holdsAdmin: boolean;
          firstStep: Step | null;
        }>(
          tx,
          sql`select identity_id as "identityId", inputs_digest as "inputsDigest", own_level as "ownLevel", verdict_digest as "verdictDigest",
                holds_admin as "holdsAdmin", case when holds_admin then path->0 end as "firstStep"
              from ${identityEscalations} where identity_id = any(${sql.param(analysed)}::uuid[])`,
          ["identityId", "inputsDigest", "ownLevel", "verdictDigest", "holdsAdmin", "firstStep"],
        )
      ).map((r) => [r.identityId, r]),
    );
    phase("stored");
    const isUnchanged = (p: { id: string }) => stored.get(p.id)?.inputsDigest === loaded.digests.get(p.id);
    const unchanged = loaded.principals.filter(isUnchanged);
    const changedIds = loaded.principals.filter((p) => !isUnchanged(p)).map((p) => p.id);
    const cached = await storedEdges(
      tx,
      unchanged.map((p) => ({ id: p.id, arn: p.arn, digest: loaded.digests.get(p.id)! })),
    );
    phase("edges read");
    await loadPolicies(tx, loaded, changedIds);
    phase("policies");

    const ownLevels = new Map(unchanged.map((p) => [p.arn, stored.get(p.id)!.ownLevel]));
    // Whether an unchanged principal holds admin outright: its path starts there.
    for (const p of unchanged) {
      const s = stored.get(p.id)!;
      const first = s.firstStep;
      loaded.holds.set(p.arn, s.holdsAdmin && first?.classId === "holds-admin" ? (first.actions[0]?.allowedBy[0] ?? null) : null);
    }
    const result = analyze(
      { principals: loaded.principals, groups: loaded.groups, now },
      { catalogue, levels, cached, ownLevels, holds: loaded.holds, phases, reachableKept: REACHABLE_KEPT },
    );
    // The reachable sets' digests are over the principals in this order: it is part of what they say.
    const principalsDigest = sha(loaded.principals.map((p) => p.id).join(","));
    restart();

    const idOf = new Map(loaded.principals.map((p) => [p.arn, p.id]));
    let changed = 0;
    const writes: (typeof identityEscalations.$inferInsert)[] = [];
    const verdictOnly: (typeof identityEscalations.$inferInsert)[] = [];
    for (const v of result.verdicts) {
      const p = loaded.byId.get(v.id)!;
      const reachableIds = v.reachable.map((arn) => idOf.get(arn)!).filter(Boolean);
      const row = {
        identityId: v.id,
        systemId: p.systemId,
        privilegeLevel: v.level,
        holdsAdmin: !!v.holdsAdmin,
        reachesAdmin: v.reachesAdmin,
        pathConditional: v.pathConditional,
        pathClass: v.path.find((s) => s.classId !== "holds-admin")?.classId ?? null,
        path: v.path,
        reachableCount: v.reachableCount,
        reachableIds: reachableIds.slice(0, REACHABLE_KEPT),
        inputsDigest: loaded.digests.get(v.id)!,
        capabilities: [] as unknown,
        ownLevel: result.ownLevels.get(p.arn)!,
        verdictDigest: "",
        computedAt: now,
      };
      row.verdictDigest = sha(
        canonicalJson([
          row.privilegeLevel,
          row.holdsAdmin,
          row.reachesAdmin,
          row.pathConditional,
          row.path,
          principalsDigest,
          v.reachableDigest,
          row.inputsDigest,
        ]),
      );
      if (stored.get(v.id)?.verdictDigest === row.verdictDigest) continue;
      changed++;
      // Edges of a principal whose inputs did not change are stored already: only its verdict is written.
      if (isUnchanged(p)) verdictOnly.push(row);
      else {
        const encoded = encodeCapabilities(result.capabilities.get(p.arn)!);
        writes.push({ ...row, capabilities: encoded });
        // Remembered as read back would give them (compact, steps rebuilt when read), not as computed (every step in full).
        edgeMemo.set(p.id, { digest: row.inputsDigest, edges: decodeCapabilities(encoded) });
      }
    }
    // Many rows per statement, each statement's rows as one JSON parameter: one round trip per row
    // (then drizzle's building of large statements) made the writes of a first analysis its slowest part.
    await writeVerdicts(tx, writes, UPDATED_COLUMNS);
    await writeVerdicts(
      tx,
      verdictOnly,
      UPDATED_COLUMNS.filter((c) => c !== "capabilities"),
    );
    // Kubernetes principals: computed whole every time (a cluster's graph is small), written where the verdict changed.
    const k8sRows = k8s.map((v) => k8sRow(v, now)).filter((row) => stored.get(row.identityId)?.verdictDigest !== row.verdictDigest);
    await writeVerdicts(tx, k8sRows, UPDATED_COLUMNS);
    changed += k8sRows.length;
    // Verdicts of identities neither analysis holds any more (grants ended, identities retired) go: a stale "admin" is wrong.
    const gone = await tx
      .delete(identityEscalations)
      // An anti-join on the kept ids (hashed), not "<> all(array)": that compares every row with every id.
      .where(sql`not exists (select 1 from unnest(${sql.param(analysed)}::uuid[]) as k(id) where k.id = ${identityEscalations.identityId})`)
      .returning({ id: identityEscalations.identityId });
    changed += gone.length;
    phase("writes");
    const awsIds = new Map(loaded.principals.map((p) => [p.id, p]));
    const findingsOpen = await syncFindings(
      tx,
      [
        ...result.verdicts.map((v) => {
          const p = awsIds.get(v.id)!;
          return { ...v, name: p.name, identityKind: p.identityKind, systemId: p.systemId };
        }),
        ...k8s,
      ],
      result.openTrust.map((o) => ({ ...o, role: awsIds.get(o.roleId)! })),
    );
    phase("findings");
    // The dashboard's figures (who can reach administrator, open findings) are the reconciliation's snapshot: have it follow.
    if (changed > 0 || changedIds.length > 0) await requestReconciliation(tx);
    return {
      principals: loaded.principals.length + k8s.length,
      recomputed: changedIds.length + k8s.length,
      reachAdmin: result.verdicts.filter((v) => v.reachesAdmin).length + k8s.filter((v) => v.reachesAdmin).length,
      changed,
      findingsOpen,
      elapsedMs: Date.now() - started,
      phases,
    };
  });
}

/**
 * Edges this process computed or read, by identity and the digest of the
 * inputs they were computed from (the digest covers everything they depend
 * on, so an entry with the same digest is the same edges). Kept decoded (each
 * edge's steps are rebuilt only when a path reads them) between analyses:
 * reading and decoding every unchanged principal's edges was the largest part
 * of an incremental analysis.
 */
const edgeMemo = new Map<string, { digest: string; edges: Capability[] }>();
function forgetEdgesExcept(ids: Set<string>) {
  for (const id of edgeMemo.keys()) if (!ids.has(id)) edgeMemo.delete(id);
}

/** Unchanged principals' stored edges, by ARN: from this process's memo, else read (and remembered). */
async function storedEdges(tx: Tx, principals: { id: string; arn: string; digest: string }[]): Promise<Map<string, Capability[]>> {
  const out = new Map<string, Capability[]>();
  const missing = principals.filter((p) => edgeMemo.get(p.id)?.digest !== p.digest);
  const arnOf = new Map(missing.map((p) => [p.id, p.arn]));
  for (let i = 0; i < missing.length; i += 2000) {
    const rows = await tx
      .select({ identityId: identityEscalations.identityId, inputsDigest: identityEscalations.inputsDigest, capabilities: identityEscalations.capabilities })
      .from(identityEscalations)
      .where(
        inArray(
          identityEscalations.identityId,
          missing.slice(i, i + 2000).map((p) => p.id),
        ),
      );
    for (const r of rows) {
      const edges = decodeCapabilities(r.capabilities);
      out.set(arnOf.get(r.identityId)!, edges);
      edgeMemo.set(r.identityId, { digest: r.inputsDigest, edges });
    }
  }
  for (const p of principals) if (!out.has(p.arn)) out.set(p.arn, edgeMemo.get(p.id)!.edges);
  return out;
}

type VerdictRow = typeof identityEscalations.$inferInsert;

/** Upserts verdict rows WRITE_BATCH at a time, updating `columns` of existing ones. */
async function writeVerdicts(tx: Tx, rows: VerdictRow[], columns: readonly (typeof UPDATED_COLUMNS)[number][]) {
  const all = ["identityId", ...UPDATED_COLUMNS] as const;
  const names = all.map((c) => identityEscalations[c].name);
  const list = sql.raw(names.map((n) => `"${n}"`).join(", "));
  const set = sql.raw(columns.map((c) => `"${identityEscalations[c].name}" = excluded."${identityEscalations[c].name}"`).join(", "));
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    const json = JSON.stringify(
      rows.slice(i, i + WRITE_BATCH).map((r) => Object.fromEntries(all.map((c, k) => [names[k], r[c] instanceof Date ? r[c].toISOString() : (r[c] ?? null)]))),
    );
    await tx.execute(
      sql`insert into ${identityEscalations} (${list}) select ${list} from jsonb_populate_recordset(null::${identityEscalations}, ${json}::jsonb) on conflict ("identity_id") do update set ${set}`,
    );
  }
}

type Loaded = {
  principals: (ModelPrincipal & {
    systemId: string;
    identityKind: string;
    boundaryArn: string | null;
    grantRefs: { ref: string | null; name: string; statements: PermissionStatement[] | null }[];
  })[];
  byId: Map<string, Loaded["principals"][number]>;
  groups: ModelGroup[];
  digests: Map<string, string>;
  holds: Map<string, import("@/lib/permissions/aws/evaluate").Citation | null>;
  scps: Map<string, PolicySource[][]>;
};

/**
 * The principals and what every analysis needs of all of them (who they are,
 * trust, instance profiles, groups, SCPs) with a digest of each one's inputs;
 * their policies are loaded later, only for those whose digest changed.
 */
async function loadModel(tx: Tx): Promise<Loaded> {
  // Four reads sent at once: the database runs the later ones while the first one's rows are read here.
  // Read as columns (queryColumns): row by row, PGlite spent most of an incremental analysis decoding these reads.
  const readingRows = queryColumns<{ id: string; name: string; kind: string; arn: string; systemId: string; attributes: unknown; asTarget: string }>(
    tx,
    sql`select i.id, i.name, i.kind, i.external_id as arn, i.system_id as "systemId", i.attributes,
          -- What others' edges to it depend on: its kind, trust (as stored, or as the list of who is trusted), instance profiles and groups.
          md5(jsonb_build_array(i.external_id, i.attributes->'iamType', i.attributes->'trustPolicy', i.attributes->'trustedPrincipals',
            i.attributes->'instanceProfileArns', i.attributes->'groups')::text) as "asTarget"
        from ${identities} i join ${systems} s on s.id = i.system_id
        where s.kind = 'aws_account' and i.status = 'active' and i.attributes->>'source' = ${AWS_IAM_SOURCE} and i.external_id like 'arn:%'`,
    ["id", "name", "kind", "arn", "systemId", "attributes", "asTarget"],
    // The order decides which of two equally short paths a verdict names: the same on every run.
    { orderBy: ["arn", "id"] },
  );
  // Per identity: its live grants, by entitlement and when each last changed. One grouped join (hashed)
  // rather than a subquery per identity: a large account's 50,000 grants in a tenth of the time.
  const readingHeld = queryColumns<{ id: string; grants: string }>(
    tx,
    sql`select ${grants.identityId} as id, string_agg(${grants.entitlementId}::text || '@' || e.updated_at::text, ',' order by ${grants.entitlementId}) as grants
        from ${grants} join ${entitlements} e on e.id = ${grants.entitlementId} join ${identities} i on i.id = ${grants.identityId} join ${systems} s on s.id = i.system_id
        where s.kind = 'aws_account' and i.status = 'active' and ${grantIsActive}
        group by ${grants.identityId}`,
    ["id", "grants"],
  );
  // And its permissions boundary, for those that name one.
  const readingBounded = queryColumns<{ id: string; boundary: string | null }>(
    tx,
    sql`select i.id, (select e.id::text || '@' || e.updated_at::text from ${entitlements} e where e.system_id = i.system_id and e.external_ref = i.attributes->>'permissionsBoundaryArn' limit 1) as boundary
        from ${identities} i join ${systems} s on s.id = i.system_id
        where s.kind = 'aws_account' and i.status = 'active' and i.attributes ? 'permissionsBoundaryArn'`,
    ["id", "boundary"],
  );
  const readingScps = tx
    .select({
      systemId: awsServiceControlPolicies.systemId,
      level: awsServiceControlPolicies.level,
      name: awsServiceControlPolicies.name,
      statements: awsServiceControlPolicies.statements,
    })
    .from(awsServiceControlPolicies)
    .innerJoin(systems, eq(systems.id, awsServiceControlPolicies.systemId))
    .where(eq(systems.kind, "aws_account"))
    .orderBy(awsServiceControlPolicies.systemId, awsServiceControlPolicies.level, awsServiceControlPolicies.name)
    .then((r) => r);
  // Should one fail before it is awaited, the failure is the analysis's, not an unhandled rejection.
  for (const pending of [readingRows, readingHeld, readingBounded, readingScps]) pending.catch(() => {});
  const rows = await readingRows;
  const [held, bounded, scpRows] = await Promise.all([readingHeld, readingBounded, readingScps]);
  const scps = new Map<string, PolicySource[][]>();
  for (const s of scpRows) {
    const levels = scps.get(s.systemId) ?? [];
    (levels[s.level] ??= []).push({ policy: `SCP ${s.name}`, statements: s.statements });
    scps.set(s.systemId, levels);
  }
  const inputOf = new Map<string, { grants: string; boundary: string | null }>(held.map((r) => [r.id, { grants: r.grants, boundary: null }]));
  for (const r of bounded) inputOf.set(r.id, { grants: inputOf.get(r.id)?.grants ?? "", boundary: r.boundary });
  // Everything a principal's edges depend on beyond its own access: the targets.
  // Each principal as a target digested by the database (jsonb prints one value one way), then all of them in the rows' order.
  const universe = sha(rows.map((r) => r.asTarget).join(",") + canonicalJson(scpRows.map((s) => [s.systemId, s.level, s.name, s.statements])));
  const principals = rows.map((r) => {
    const a = r.attributes as Attributes;
    const accountId = accountOf(r.arn) ?? "";
    return {
      id: r.id,
      arn: r.arn,
      accountId,
      kind: a.iamType === "role" ? ("role" as const) : ("user" as const),
      name: r.name,
      identity: [],
      boundary: null,
      scps: scps.get(r.systemId) ?? [],
      groupArns: (a.groups ?? []).map((g) => `arn:aws:iam::${accountId}:group/${g}`),
      customerPolicyArns: [],
      trust: trustOf(a),
      instanceProfileArns: a.instanceProfileArns ?? [],
      systemId: r.systemId,
      identityKind: r.kind,
      boundaryArn: a.permissionsBoundaryArn ?? null,
      grantRefs: [],
    };
  });
  const digests = new Map(
    principals.map((p) => [p.id, sha([ANALYSIS_VERSION, universe, inputOf.get(p.id)?.grants ?? "", inputOf.get(p.id)?.boundary ?? ""].join("|"))]),
  );
  return { principals, byId: new Map(principals.map((p) => [p.id, p])), groups: [], digests, holds: new Map(), scps };
}

/** Policies of the principals to recompute, and every group (a user may join one). */
async function loadPolicies(tx: Tx, loaded: Loaded, ids: string[]) {
  const systemIds = [...new Set(loaded.principals.map((p) => p.systemId))];
  const groupRows = await tx
    .select({ ref: entitlements.externalRef, name: entitlements.name, statements: entitlements.permissions })
    .from(entitlements)
    .where(and(inArray(entitlements.systemId, systemIds), sql`${entitlements.externalRef} like 'arn:%:group/%'`));
  loaded.groups = groupRows.map((g) => ({ arn: g.ref!, accountId: accountOf(g.ref!) ?? "", policies: [{ policy: g.name, statements: g.statements ?? [] }] }));
  if (ids.length === 0) return;
  const held: { identityId: string; ref: string | null; name: string; statements: PermissionStatement[] | null }[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    held.push(
      ...(await tx
        .select({ identityId: grants.identityId, ref: entitlements.externalRef, name: entitlements.name, statements: entitlements.permissions })
        .from(grants)
        .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
        .where(and(inArray(grants.identityId, ids.slice(i, i + 5000)), grantIsActive))),
    );
  }
  const boundaryArns = [...new Set(ids.map((id) => loaded.byId.get(id)!.boundaryArn).filter((a): a is string => !!a))];
  const boundaries = boundaryArns.length
    ? new Map(
        (
          await tx
            .select({ ref: entitlements.externalRef, name: entitlements.name, statements: entitlements.permissions })
            .from(entitlements)
            .where(and(inArray(entitlements.systemId, systemIds), inArray(entitlements.externalRef, boundaryArns)))
        ).map((b) => [b.ref!, b]),
      )
    : new Map<string, { statements: PermissionStatement[] | null }>();
  for (const h of held) loaded.byId.get(h.identityId)!.grantRefs.push(h);
  for (const id of ids) {
    const p = loaded.byId.get(id)!;
    p.identity = p.grantRefs
      .filter((g) => g.statements)
      .map((g) => ({ policy: g.ref ?? g.name, statements: g.statements!, ...(g.ref && READ_ONLY_MANAGED.test(g.ref) ? { readOnly: true } : {}) }));
    p.customerPolicyArns = p.grantRefs.map((g) => g.ref).filter((r): r is string => !!r && /^arn:aws[a-z-]*:iam::\d{12}:policy\//.test(r));
    // Group membership as granted now (paths included, JIT-aware), not as the export named it.
    p.groupArns = p.grantRefs.map((g) => g.ref).filter((r): r is string => !!r && /^arn:aws[a-z-]*:iam::\d{12}:group\//.test(r));
    const b = p.boundaryArn ? boundaries.get(p.boundaryArn) : undefined;
    // A boundary named but not in the inventory: nothing is known to be allowed, so nothing is (AWS's own rule for a boundary).
    p.boundary = p.boundaryArn ? { policy: p.boundaryArn, statements: b?.statements ?? [] } : null;
  }
}

const LONG_LIVED = ["access_key", "api_token", "password", "ssh_key", "client_secret"] as const;

/** A Kubernetes principal's verdict as stored (no edges: they are recomputed every time). */
function k8sRow(v: K8sSubject, now: Date): VerdictRow {
  const row = {
    identityId: v.id,
    systemId: v.systemId,
    privilegeLevel: v.level,
    holdsAdmin: v.holdsAdmin,
    reachesAdmin: v.reachesAdmin,
    pathConditional: v.pathConditional,
    pathClass: v.path.find((s) => s.classId !== "holds-admin")?.classId ?? null,
    path: v.path,
    reachableCount: v.reachableIds.length,
    reachableIds: v.reachableIds.slice(0, REACHABLE_KEPT),
    inputsDigest: sha([ANALYSIS_VERSION, v.inputs].join("|")),
    capabilities: [],
    ownLevel: v.ownLevel,
    verdictDigest: "",
    computedAt: now,
  };
  row.verdictDigest = sha(
    canonicalJson([row.systemId, row.privilegeLevel, row.holdsAdmin, row.reachesAdmin, row.pathConditional, row.path, v.reachableIds, row.inputsDigest]),
  );
  return row;
}

type Judged = Pick<PrincipalVerdict, "id" | "reachesAdmin" | "path" | "pathConditional"> & {
  holdsAdmin: unknown;
  name: string;
  identityKind: string;
  systemId: string;
};

/** The two escalation findings, raised for what the analyses see and resolved where they no longer do. */
async function syncFindings(tx: Tx, verdicts: Judged[], openTrust: (OpenTrust & { role: Loaded["principals"][number] })[] = []): Promise<number> {
  const escalating = verdicts.filter((v) => v.reachesAdmin && !v.holdsAdmin);
  const withKeys = new Set(
    escalating.length
      ? (
          await tx
            .selectDistinct({ id: credentials.identityId })
            .from(credentials)
            .where(
              and(
                inArray(
                  credentials.identityId,
                  escalating.map((v) => v.id),
                ),
                eq(credentials.status, "active"),
                inArray(credentials.type, [...LONG_LIVED]),
              ),
            )
        ).map((r) => r.id)
      : [],
  );
  const list: FindingInput[] = [
    ...escalating.map((v) => {
      const p = v;
      const nhi = p.identityKind !== "human";
      const cls = v.path.find((s) => s.classId !== "holds-admin")?.classId ?? null;
      return {
        kind: "escalation_to_admin" as const,
        // Critical only for a path with no unknowns: one that needs compute the IAM export cannot show stays high.
        severity: v.pathConditional
          ? ("medium" as const)
          : nhi && withKeys.has(v.id) && !v.path.some((s) => s.needs)
            ? ("critical" as const)
            : ("high" as const),
        identityId: v.id,
        systemId: p.systemId,
        source: ESCALATION_SOURCE,
        title: `${p.name} can become administrator: ${describePath(v.path)}`,
        details: { pathClass: cls, conditional: v.pathConditional, steps: v.path.length, path: v.path, longLivedKeys: withKeys.has(v.id) },
      };
    }),
    ...openTrust.map((o) => {
      const p = o.role;
      return {
        kind: "open_trust_policy" as const,
        severity: o.conditions.length === 0 ? ("critical" as const) : ("high" as const),
        identityId: o.roleId,
        systemId: p.systemId,
        source: ESCALATION_SOURCE,
        title: `${p.name}'s trust policy lets any AWS principal assume it${o.conditions.length ? ` (only conditions: ${o.conditions.join(", ")})` : ""}`,
        // The trusting statement itself (its principals, actions and conditions), for the finding to show.
        details: { roleArn: o.roleArn, statement: o.statement, sid: o.sid ?? null, conditions: o.conditions, trust: p.trust?.[o.statement] ?? null },
        discriminator: String(o.statement),
      };
    }),
  ];
  await raiseFindings(tx, list);
  // Resolve this analysis's open findings it no longer sees.
  const keep = new Set(list.map((f) => findingKey(f)));
  const open = await queryColumns<{ key: string }>(tx, sql`select key from ${findings} where source = ${ESCALATION_SOURCE} and status = 'open'`, ["key"]);
  await resolveFindings(
    tx,
    open.map((f) => f.key).filter((k) => !keep.has(k)),
    "No longer seen by the escalation analysis",
  );
  return list.length;
}

/** "assumes deployer → creates a Lambda function running as lambda-admin → holds administrator access". */
export function describePath(path: Step[]): string {
  return path.map((s) => stepView(s).description).join(" → ");
}
