import type { ApproverMode, eligibilityPolicies, jitApprovals, jitRequests, JitRequestStatus, pamSessionEvents, pamSessions } from "../schema";
import type { TeamName } from "./catalog";
import type { GrantRow, SeedEntitlement } from "./grants";
import type { Nhi, SeedSystem } from "./nhis";
import type { Org, Person } from "./org";
import { HOUR, MINUTE, Rng, SEED_BASE, daysBefore } from "./random";

type PolicyRow = typeof eligibilityPolicies.$inferInsert;
type RequestRow = typeof jitRequests.$inferInsert;
type ApprovalRow = typeof jitApprovals.$inferInsert;
type SessionRow = typeof pamSessions.$inferInsert;
type SessionEventRow = typeof pamSessionEvents.$inferInsert;

/** A use of a JIT grant, recorded by the PAM bastion, for the usage roll-ups. */
export type SessionUsage = { identityId: string; entitlementId: string; system: SeedSystem; sessionId: string; action: string; at: number };

export type JitPlan = {
  policies: PolicyRow[];
  requests: RequestRow[];
  approvals: ApprovalRow[];
  grants: GrantRow[];
  sessions: SessionRow[];
  sessionEvents: SessionEventRow[];
  usage: SessionUsage[];
};

/** The PAM recorder the demo's sessions come from. */
export const SEED_PAM_SOURCE = "pam:seed-bastion";

/** What people and pipelines run under elevated access, by kind of system. */
const COMMANDS: Record<string, { kind: "command" | "query"; lines: string[] }> = {
  kubernetes: {
    kind: "command",
    lines: [
      "kubectl get pods -n payments",
      "kubectl -n payments rollout restart deploy/payments-api",
      "kubectl describe node ip-10-4-2-17",
      "kubectl -n payments logs deploy/ledger --since=1h",
      "kubectl cordon ip-10-4-2-17",
      "kubectl -n mobile scale deploy/push --replicas=6",
    ],
  },
  database: {
    kind: "query",
    lines: [
      "select count(*) from payments where status = 'stuck'",
      "update refunds set state = 'retry' where created_at > now() - interval '1 hour'",
      "select pid, query from pg_stat_activity where state = 'idle in transaction'",
      "select pg_terminate_backend(48213)",
      "vacuum analyze ledger_entries",
    ],
  },
  aws_account: {
    kind: "command",
    lines: [
      "aws ecs update-service --cluster prod --service checkout --force-new-deployment",
      "aws ec2 describe-instances --filters Name=tag:svc,Values=ledger",
      "aws s3 ls s3://acme-prod-exports/",
      "aws iam list-attached-role-policies --role-name checkout-task",
      "aws rds reboot-db-instance --db-instance-identifier ledger-replica-2",
    ],
  },
  vault: { kind: "command", lines: ["vault status", "vault operator unseal", "vault secrets list", "vault audit list"] },
  saas: {
    kind: "query",
    lines: [
      "ALTER WAREHOUSE ETL_WH SET WAREHOUSE_SIZE = 'XLARGE'",
      "CALL backfill_revenue('2026-09-01')",
      "INSERT OVERWRITE INTO revenue_daily SELECT * FROM staging.revenue_daily",
      "ALTER WAREHOUSE ETL_WH SET WAREHOUSE_SIZE = 'SMALL'",
    ],
  },
  github: { kind: "command", lines: ["gh api repos/acme/payments-api/branches/main/protection", "gh secret set DEPLOY_KEY --repo acme/ledger"] },
};

type PolicySpec = {
  ref: readonly [system: string, entitlement: string];
  name: string;
  description: string;
  teams?: TeamName[];
  autoApproveTeams?: TeamName[];
  approvalsRequired?: number;
  approverMode?: ApproverMode;
  max: number;
  def: number;
  requireTicket?: boolean;
  breakGlass?: number;
  pendingTimeout?: number;
};

/** Acme's just-in-time catalogue: how each privileged entitlement may be requested. */
const POLICIES: PolicySpec[] = [
  {
    ref: ["vault-prod", "root"],
    name: "Vault root (emergency only)",
    description: "Unseal and recovery work. Two approvals, a change ticket, one hour at most.",
    approvalsRequired: 2,
    max: 60,
    def: 30,
    requireTicket: true,
    breakGlass: 30,
  },
  {
    ref: ["k8s-prod-eu", "cluster-admin"],
    name: "Kubernetes prod-eu cluster-admin",
    description: "Platform and SRE may ask; the SRE on-call rotation is approved automatically.",
    teams: ["Platform", "SRE"],
    autoApproveTeams: ["SRE"],
    max: 240,
    def: 60,
    breakGlass: 60,
  },
  {
    ref: ["payments-db-prod", "superuser"],
    name: "Payments database superuser",
    description: "Approved by the database's owner, with a ticket.",
    approverMode: "entitlement_owner",
    max: 120,
    def: 30,
    requireTicket: true,
  },
  {
    ref: ["aws-prod", "AdministratorAccess"],
    name: "AWS production administrator",
    description: "Two approvals and a ticket; break-glass for 30 minutes.",
    approvalsRequired: 2,
    max: 240,
    def: 60,
    requireTicket: true,
    breakGlass: 30,
  },
  {
    ref: ["payments-db-prod", "payments_rw"],
    name: "Payments database read-write",
    description: "The Payments team fixes data by request, not by standing access.",
    teams: ["Payments"],
    max: 480,
    def: 120,
    pendingTimeout: 24 * 60,
  },
  {
    ref: ["k8s-prod-eu", "namespace-admin"],
    name: "Namespace admin (prod-eu)",
    description: "Product teams administer their namespaces for a working day at most.",
    teams: ["Payments", "Mobile"],
    max: 480,
    def: 120,
  },
  {
    ref: ["aws-prod", "PowerUserAccess"],
    name: "AWS production power user",
    description: "Deploy and debug in production; SRE is approved automatically.",
    teams: ["SRE"],
    autoApproveTeams: ["SRE"],
    max: 720,
    def: 240,
  },
  {
    ref: ["snowflake-analytics", "SYSADMIN"],
    name: "Snowflake SYSADMIN for backfills",
    description: "Pipelines and the Data team run backfills with elevated warehouse rights, up to a week.",
    teams: ["Data"],
    max: 7 * 24 * 60,
    def: 24 * 60,
    requireTicket: true,
  },
];

const JUSTIFICATIONS = [
  "Investigate elevated error rate on checkout",
  "Apply the approved schema migration",
  "Rotate the TLS certificates on the ingress",
  "Debug the failing nightly settlement job",
  "Restore a dropped table from the snapshot",
  "Scale the cluster for the sales event",
  "Clean up orphaned volumes flagged by FinOps",
  "Backfill the revenue model after the pricing change",
  "Patch the node pool for the kernel CVE",
  "Recover the stuck rollout of payments-api",
];
const BREAK_GLASS_REASONS: Record<string, string> = {
  database: "Payments outage: database connections exhausted, need to kill sessions",
  kubernetes: "Checkout down after a bad deploy, rolling back by hand",
  vault: "Vault sealed after a node failure, unsealing",
  aws_account: "Region failover: promoting the replica by hand",
};
const DENIAL_REASONS = ["Use the read replica for this", "No change ticket covers this", "Ask the on-call SRE to do it instead"];

type Subject = { id: string; human: boolean; team: TeamName | null; ownerId: string | null; backupOwnerId: string | null };

/**
 * Eligibility policies, the named eligibility behind every eligible grant,
 * and 90 days of request history: approved windows that expired or were
 * released, denials, timeouts, break-glass uses reviewed afterwards, and
 * pipelines asking for themselves. Two requests are live on the seed day: one
 * waiting for approval and a pipeline's week-long backfill window.
 */
export function buildJit(
  org: Org,
  teamIds: Map<string, string>,
  nhis: Nhi[],
  entitlements: SeedEntitlement[],
  grantRows: GrantRow[],
  now: Date,
  ids: Rng,
): JitPlan {
  const rng = new Rng(SEED_BASE + 9);
  const byRef = new Map(entitlements.map((e) => [`${e.system.spec.name}/${e.spec.name}`, e]));
  const byId = new Map(entitlements.map((e) => [e.id, e]));
  const admin = org.byPersona.admin;
  const created = daysBefore(now, 400);
  const approversRole = org.people.filter((p) => p.status === "active" && p.roles.includes("approver")).map((p) => p.id);
  const admins = org.people.filter((p) => p.status === "active" && p.roles.includes("admin")).map((p) => p.id);

  // One mapping for the catalogue's policies and the default ones, so every row sets the same columns (insertAll requires it).
  const policyRow = (spec: Omit<PolicySpec, "ref">, entitlementId: string, catalogued: PolicySpec | null) => ({
    id: ids.uuid(),
    spec: catalogued,
    name: spec.name,
    description: spec.description,
    entitlementId,
    teamIds: (spec.teams ?? []).map((t) => teamIds.get(t)!),
    autoApproveTeamIds: (spec.autoApproveTeams ?? []).map((t) => teamIds.get(t)!),
    maxDurationMinutes: spec.max,
    defaultDurationMinutes: spec.def,
    approvalsRequired: spec.approvalsRequired ?? 1,
    approverMode: spec.approverMode ?? "approvers",
    requireTicket: spec.requireTicket ?? false,
    breakGlass: !!spec.breakGlass,
    breakGlassMaxMinutes: spec.breakGlass ?? 60,
    pendingTimeoutMinutes: spec.pendingTimeout ?? 60,
    createdById: admin.id,
    createdAt: created,
    updatedAt: created,
  });
  const policies: (PolicyRow & { id: string; spec: PolicySpec | null })[] = [];
  const policyFor = new Map<string, (typeof policies)[number]>();
  for (const spec of POLICIES) {
    const e = byRef.get(`${spec.ref[0]}/${spec.ref[1]}`);
    if (!e) continue;
    const row = policyRow(spec, e.id, spec);
    policies.push(row);
    policyFor.set(e.id, row);
  }

  // Pipelines in the analytics warehouse may ask for their own backfill window.
  const snowflake = byRef.get("snowflake-analytics/SYSADMIN");
  const pipelines = snowflake
    ? nhis
        .filter(
          (n) => n.status === "active" && n.system.id === snowflake.system.id && n.ownerId && (n.kind === "service_account" || n.kind === "workload_role"),
        )
        .slice(0, 3)
    : [];
  for (const p of pipelines) {
    const at = daysBefore(now, 120);
    grantRows.push({
      id: ids.uuid(),
      identityId: p.id,
      entitlementId: snowflake!.id,
      type: "eligible",
      provenance: "none",
      startsAt: at,
      createdAt: at,
      updatedAt: at,
    });
  }

  // Every eligible grant is the named eligibility of a policy: the catalogue's, or a default one.
  for (const g of grantRows) {
    if (g.type !== "eligible") continue;
    let policy = policyFor.get(g.entitlementId);
    if (!policy) {
      const e = byId.get(g.entitlementId)!;
      policy = policyRow(
        { name: `Just-in-time ${e.spec.name} (${e.system.spec.name})`, description: "One approval from the approver group, up to 8 hours.", max: 480, def: 60 },
        e.id,
        null,
      );
      policies.push(policy);
      policyFor.set(e.id, policy);
    }
    g.policyId = policy.id;
    g.provenance = "policy";
    g.provenanceRef = policy.id;
    g.approvedById = admin.id;
    g.approvedAt = g.startsAt;
  }

  // Who may ask under each policy.
  const peopleById = new Map(org.people.map((p) => [p.id, p]));
  const subjectOf = (id: string): Subject | null => {
    const person = peopleById.get(id);
    if (person) return person.status === "active" ? { id, human: true, team: person.team, ownerId: null, backupOwnerId: null } : null;
    const nhi = nhis.find((n) => n.id === id);
    return nhi && nhi.status === "active" ? { id, human: false, team: nhi.team, ownerId: nhi.ownerId, backupOwnerId: nhi.backupOwnerId } : null;
  };
  const eligible = new Map<string, Subject[]>();
  for (const policy of policies) {
    const teams = new Set(policy.spec?.teams ?? []);
    const subjects = org.people.filter((p: Person) => p.status === "active" && p.team && teams.has(p.team)).map((p) => subjectOf(p.id)!);
    for (const g of grantRows)
      if (g.type === "eligible" && g.policyId === policy.id && !g.revokedAt) subjects.push(...[subjectOf(g.identityId)].filter((s): s is Subject => !!s));
    eligible.set(policy.id, [...new Map(subjects.map((s) => [s.id, s])).values()]);
  }

  const approversFor = (policy: (typeof policies)[number], s: Subject) => {
    const excluded = new Set([s.id, s.ownerId, s.backupOwnerId]);
    const owner = byId.get(policy.entitlementId)!.ownerId;
    const base = policy.approverMode === "entitlement_owner" && owner ? [owner] : approversRole;
    const set = new Set(base.filter((id) => !excluded.has(id)));
    for (const extra of [approversRole, admins]) {
      if (set.size >= (policy.approvalsRequired ?? 1)) break;
      for (const id of extra) if (!excluded.has(id)) set.add(id);
    }
    return [...set];
  };

  const requests: RequestRow[] = [];
  const approvals: ApprovalRow[] = [];
  const grants: GrantRow[] = [];
  const sessions: SessionRow[] = [];
  const sessionEvents: SessionEventRow[] = [];
  const usage: SessionUsage[] = [];

  // Most windows were used: a bastion session with a few commands, inside the window.
  const recordSession = (request: RequestRow, grantId: string, s: Subject, from: Date, to: Date) => {
    const e = byId.get(request.entitlementId)!;
    const kit = COMMANDS[e.system.spec.kind];
    const end = Math.min(to.getTime(), now.getTime()) - MINUTE;
    if (!kit || end - from.getTime() < 4 * MINUTE || !rng.chance(0.75)) return;
    const id = ids.uuid();
    const sessionId = `bastion-${rng.hex(10)}`;
    let at = from.getTime() + rng.int(1, 4) * MINUTE;
    const events: SessionEventRow[] = [
      { pamSessionId: id, source: SEED_PAM_SOURCE, eventId: `${sessionId}-0`, kind: "start", grantId, occurredAt: new Date(at) },
    ];
    for (let k = 1, n = rng.int(2, 6); k <= n && at < end; k++) {
      at = Math.min(end, at + rng.int(1, 6) * MINUTE);
      events.push({
        pamSessionId: id,
        source: SEED_PAM_SOURCE,
        eventId: `${sessionId}-${k}`,
        kind: kit.kind,
        detail: rng.pick(kit.lines),
        grantId,
        occurredAt: new Date(at),
      });
    }
    const finished = to.getTime() <= now.getTime();
    if (finished)
      events.push({
        pamSessionId: id,
        source: SEED_PAM_SOURCE,
        eventId: `${sessionId}-end`,
        kind: "end",
        grantId,
        occurredAt: new Date(Math.min(end, at + MINUTE)),
      });
    const startedAt = events[0].occurredAt;
    const lastAt = events.at(-1)!.occurredAt;
    sessions.push({
      id,
      source: SEED_PAM_SOURCE,
      sessionId,
      identityId: s.id,
      systemId: e.system.id,
      grantId,
      requestId: request.id!,
      startedAt,
      endedAt: finished ? lastAt : null,
      lastEventAt: lastAt,
      eventCount: events.length,
      createdAt: startedAt,
      updatedAt: lastAt,
    });
    sessionEvents.push(...events);
    for (const ev of events)
      if (ev.kind !== "end")
        usage.push({ identityId: s.id, entitlementId: e.id, system: e.system, sessionId, action: `session.${ev.kind}`, at: ev.occurredAt.getTime() });
  };

  const addRequest = (
    policy: (typeof policies)[number],
    s: Subject,
    at: Date,
    outcome: JitRequestStatus,
    opts: { breakGlass?: boolean; duration?: number; live?: boolean } = {},
  ) => {
    const approverIds = approversFor(policy, s);
    const required = policy.approvalsRequired ?? 1;
    if (approverIds.length < required) return;
    const spec = policy.spec;
    const max = opts.breakGlass ? (policy.breakGlassMaxMinutes ?? 60) : policy.maxDurationMinutes;
    const duration = opts.duration ?? Math.min(max, rng.pick([15, 30, 60, 60, 120, 240, policy.defaultDurationMinutes]));
    const id = ids.uuid();
    const pendingUntil = new Date(at.getTime() + (policy.pendingTimeoutMinutes ?? 60) * MINUTE);
    const auto = !opts.breakGlass && !!s.team && (spec?.autoApproveTeams ?? []).includes(s.team);
    const row: RequestRow = {
      id,
      requesterId: s.id,
      identityId: s.id,
      entitlementId: policy.entitlementId,
      policyId: policy.id,
      status: outcome,
      durationMinutes: duration,
      justification: opts.breakGlass
        ? (BREAK_GLASS_REASONS[byId.get(policy.entitlementId)!.system.spec.kind] ?? "Production incident, acting before approvers are reachable")
        : rng.pick(JUSTIFICATIONS),
      ticket: policy.requireTicket || rng.chance(0.4) ? `${rng.pick(["INC", "CHG", "OPS"])}-${rng.int(1000, 9999)}` : null,
      breakGlass: !!opts.breakGlass,
      approvalsRequired: required,
      approverIds,
      denyEndsRequest: true,
      pendingUntil,
      createdAt: at,
      updatedAt: at,
    };
    const decidedAt = opts.breakGlass || auto ? at : new Date(at.getTime() + rng.int(2, 40) * MINUTE);
    const deciders = rng.sample(approverIds, Math.min(required, approverIds.length));
    if (outcome === "denied") {
      const by = deciders[0];
      const comment = rng.pick(DENIAL_REASONS);
      approvals.push({ id: ids.uuid(), requestId: id, approverId: by, decision: "deny", comment, createdAt: decidedAt });
      Object.assign(row, { decidedAt, endedAt: decidedAt, endedById: by, endReason: comment, updatedAt: decidedAt });
    } else if (outcome === "timed_out" || outcome === "pending") {
      if (outcome === "timed_out") Object.assign(row, { endedAt: pendingUntil, endReason: "No decision before the pending timeout", updatedAt: pendingUntil });
    } else if (outcome === "cancelled") {
      const endedAt = new Date(at.getTime() + rng.int(1, 20) * MINUTE);
      Object.assign(row, { endedAt, endedById: s.id, endReason: "Cancelled by the requester", updatedAt: endedAt });
    } else {
      if (!opts.breakGlass && !auto)
        deciders.forEach((by, i) =>
          approvals.push({
            id: ids.uuid(),
            requestId: id,
            approverId: by,
            decision: "approve",
            createdAt: new Date(decidedAt.getTime() - (deciders.length - 1 - i) * MINUTE),
          }),
        );
      const startsAt = decidedAt;
      const expiresAt = new Date(startsAt.getTime() + duration * MINUTE);
      const grantId = ids.uuid();
      let endedAt: Date | null = null;
      let endReason: string | null = null;
      let endedById: string | null = null;
      if (outcome === "expired") [endedAt, endReason] = [expiresAt, "Expired: the approved window ended"];
      if (outcome === "released")
        [endedAt, endReason, endedById] = [
          new Date(startsAt.getTime() + rng.int(5, Math.max(6, duration - 5)) * MINUTE),
          "Released early by the requester",
          s.id,
        ];
      if (outcome === "revoked")
        [endedAt, endReason, endedById] = [
          new Date(startsAt.getTime() + rng.int(5, Math.max(6, duration - 5)) * MINUTE),
          "Work finished; revoked by the on-call lead",
          deciders[0] ?? admin.id,
        ];
      grants.push({
        id: grantId,
        identityId: s.id,
        entitlementId: policy.entitlementId,
        type: "jit",
        provenance: opts.breakGlass ? "break_glass" : "jit_approval",
        provenanceRef: id,
        approvedById: opts.breakGlass || auto ? null : deciders.at(-1),
        approvedAt: decidedAt,
        approvalExpiresAt: expiresAt,
        startsAt,
        expiresAt,
        revokedAt: endedAt,
        revokedById: endedAt ? (endedById ?? null) : null,
        revokeReason: endReason,
        createdAt: decidedAt,
        updatedAt: endedAt ?? decidedAt,
      });
      Object.assign(row, { grantId, startsAt, expiresAt, decidedAt, endedAt, endedById, endReason, updatedAt: endedAt ?? decidedAt });
      recordSession(row, grantId, s, startsAt, endedAt ?? expiresAt);
      if (opts.breakGlass) {
        const reviewer = approverIds[0];
        const escalated = rng.chance(0.25);
        const reviewedAt = new Date(expiresAt.getTime() + rng.int(1, 20) * HOUR);
        if (reviewedAt < now)
          Object.assign(row, {
            postReviewStatus: escalated ? "escalated" : "confirmed",
            postReviewedById: reviewer,
            postReviewedAt: reviewedAt,
            postReviewComment: escalated ? "No incident on record for this use" : "Matches the incident timeline",
          });
        else row.postReviewStatus = "pending";
      }
    }
    requests.push(row);
  };

  const HISTORY: [JitRequestStatus, number][] = [
    ["expired", 58],
    ["released", 20],
    ["denied", 8],
    ["timed_out", 6],
    ["cancelled", 4],
    ["revoked", 4],
  ];
  for (const policy of policies) {
    for (const s of eligible.get(policy.id) ?? []) {
      // Pipelines ask about weekly; people a few times a quarter.
      const count = s.human ? rng.int(0, 4) : 12;
      const days = [...new Set(Array.from({ length: count }, () => rng.int(1, 89)))].sort((a, b) => b - a);
      for (const d of days) {
        const at = new Date(daysBefore(now, d).getTime() + rng.int(7, 19) * HOUR + rng.int(0, 59) * MINUTE);
        addRequest(
          policy,
          s,
          at,
          rng.weighted(
            HISTORY.map((h) => h[0]),
            HISTORY.map((h) => h[1]),
          ),
          s.human ? {} : { duration: 24 * 60 },
        );
      }
    }
    // A few emergencies where the policy allows them.
    if (policy.breakGlass) {
      for (const s of rng.sample(eligible.get(policy.id)?.filter((x) => x.human) ?? [], 2)) {
        addRequest(policy, s, new Date(daysBefore(now, rng.int(3, 80)).getTime() + rng.int(0, 23) * HOUR), "expired", {
          breakGlass: true,
          duration: policy.breakGlassMaxMinutes ?? 30,
        });
      }
    }
  }

  // Live on the seed day: a request waiting for the approvers, and a pipeline's backfill window.
  const requester = subjectOf(org.byPersona.requester.id);
  const rw = policyFor.get(byRef.get("payments-db-prod/payments_rw")?.id ?? "");
  if (requester && rw) addRequest(rw, requester, now, "pending", { duration: 120 });
  if (snowflake && pipelines[0]) {
    const policy = policyFor.get(snowflake.id)!;
    addRequest(policy, subjectOf(pipelines[0].id)!, new Date(now.getTime() - 22 * HOUR), "active", { duration: 5 * 24 * 60 });
  }
  return { policies: policies.map(({ spec: _spec, ...p }) => p), requests, approvals, grants, sessions, sessionEvents, usage };
}
