import { sql } from "drizzle-orm";
import type { Db, Tx } from "../client";
import {
  credentials,
  eligibilityPolicies,
  entitlements,
  grants,
  identities,
  jitApprovals,
  jitRequests,
  lifecycleEvents,
  pamSessionEvents,
  pamSessions,
  roleAssignments,
  systems,
  teamMembers,
  teams,
} from "../schema";
import { appendSeedAudit, type SeedAuditEntry } from "./audit";
import { TEAM_NAMES, systemCatalog, type OwnerHint } from "./catalog";
import { recordLatestDecisions } from "../grant-decisions";
import { buildGrants, type SeedEntitlement } from "./grants";
import { buildCredentials } from "./credentials";
import { insertAll } from "./insert";
import { buildJit } from "./jit";
import { buildNhis, type SeedSystem } from "./nhis";
import { buildOrg, type Org, type Person } from "./org";
import { HOUR, Rng, SEED_BASE, daysBefore, startOfUtcDay } from "./random";
import { seedUsage } from "./usage";

export { personas } from "./personas";

export type SeedOptions = {
  /** 1 is about 40 people and 1,100 NHIs; 0.1 for tests, 100 for benchmarks. */
  scale?: number;
  /** Every date is relative to this; defaults to the start of the current UTC day. */
  now?: Date;
  log?: (msg: string) => void;
};

export type SeedSummary = {
  /** True when the database already held data and nothing was inserted. */
  skipped: boolean;
  scale: number;
  now: string;
  teams: number;
  people: number;
  offboardedPeople: number;
  systems: number;
  entitlements: number;
  nhis: number;
  credentials: number;
  grants: number;
  eligibilityPolicies: number;
  jitRequests: number;
  roleAssignments: number;
  lifecycleEvents: number;
  usageEvents: number;
  usageRollups: number;
  usageDaily: number;
  auditRows: number;
  elapsedMs: number;
};

const PEOPLE_AT_SCALE_1 = 40;
const NHIS_PER_PERSON = 27.5;

/** True when the database holds any identity (the demo organisation or real data). */
export async function isSeeded(db: Db | Tx): Promise<boolean> {
  const rows = await db.select({ id: identities.id }).from(identities).limit(1);
  return rows.length > 0;
}

function resolveOwner(hint: OwnerHint, org: Org): Person {
  if ("persona" in hint) return org.byPersona[hint.persona];
  const head = org.teamHeads[hint.teamHead];
  if (head) return head;
  if (hint.teamHead === "Platform") return org.byPersona.owner;
  if (hint.teamHead === "Security") return org.byPersona.admin;
  return org.vp ?? org.cto;
}

/**
 * Loads the Acme demo organisation in one transaction: people and teams,
 * systems and entitlements, NHIs with credentials, grants with provenance,
 * 90 days of usage with roll-ups, lifecycle signals and the audit trail.
 * Deterministic for a given (scale, now).
 */
export async function seed(db: Db, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = performance.now();
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`seed scale must be a positive number, not ${scale}`);
  const now = options.now ?? startOfUtcDay(new Date());
  const log = options.log ?? (() => {});
  const summary: SeedSummary = {
    skipped: false,
    scale,
    now: now.toISOString(),
    teams: 0,
    people: 0,
    offboardedPeople: 0,
    systems: 0,
    entitlements: 0,
    nhis: 0,
    credentials: 0,
    grants: 0,
    eligibilityPolicies: 0,
    jitRequests: 0,
    roleAssignments: 0,
    lifecycleEvents: 0,
    usageEvents: 0,
    usageRollups: 0,
    usageDaily: 0,
    auditRows: 0,
    elapsedMs: 0,
  };
  const step = (msg: string) => log(`seed: ${msg} (${Math.round(performance.now() - started)} ms)`);

  await db.transaction(async (tx) => {
    // One seeder at a time; a second one finds the data and stops.
    await tx.execute(sql`select pg_advisory_xact_lock(7244003)`);
    if (await isSeeded(tx)) {
      summary.skipped = true;
      log("seed: the database already holds identities; nothing to do");
      return;
    }
    const ids = new Rng(SEED_BASE + 100);
    const orgCreated = daysBefore(now, 2800);

    // Teams and people.
    const org = buildOrg(Math.round(PEOPLE_AT_SCALE_1 * scale), now, ids);
    const teamIds = new Map(TEAM_NAMES.map((t) => [t, ids.uuid()]));
    summary.teams = await insertAll(
      tx,
      teams,
      TEAM_NAMES.map((name) => ({ id: teamIds.get(name)!, name, createdAt: orgCreated, updatedAt: orgCreated })),
    );
    summary.people = await insertAll(
      tx,
      identities,
      org.people.map((p) => ({
        id: p.id,
        kind: "human" as const,
        name: p.name,
        displayName: p.displayName,
        email: p.email,
        externalId: `00u${ids.hex(17)}`,
        teamId: p.team ? teamIds.get(p.team)! : null,
        title: p.title,
        managerId: p.managerId,
        status: p.status,
        createdAt: p.startedAt,
        updatedAt: p.leftAt ?? p.startedAt,
      })),
    );
    summary.offboardedPeople = org.leavers.length;
    // Each person's team is also a membership, as an identity provider's groups would state it.
    await insertAll(
      tx,
      teamMembers,
      org.people.filter((p) => p.team).map((p) => ({ teamId: teamIds.get(p.team!)!, identityId: p.id, createdAt: p.startedAt })),
    );
    summary.roleAssignments = await insertAll(
      tx,
      roleAssignments,
      org.people.flatMap((p) => p.roles.map((role) => ({ identityId: p.id, role, grantedById: null, createdAt: p.startedAt }))),
    );
    step(`${summary.people} people in ${summary.teams} teams`);

    // Systems and their entitlements.
    const connected = daysBefore(now, 420);
    const seedSystems: SeedSystem[] = systemCatalog(scale).map((spec) => ({
      id: ids.uuid(),
      spec,
      ownerId: resolveOwner(spec.owner, org).id,
      awsWeight: spec.name === "aws-prod" ? 1 : spec.name === "aws-staging" ? 0.5 : spec.name === "aws-sandbox" ? 0.25 : 0.6,
    }));
    summary.systems = await insertAll(
      tx,
      systems,
      seedSystems.map((s) => ({
        id: s.id,
        name: s.spec.name,
        kind: s.spec.kind,
        environment: s.spec.environment,
        externalId: s.spec.externalId,
        description: s.spec.description,
        ownerId: s.ownerId,
        createdAt: connected,
        updatedAt: connected,
      })),
    );
    const seedEntitlements: SeedEntitlement[] = seedSystems.flatMap((system) =>
      system.spec.entitlements.map((spec) => ({ id: ids.uuid(), system, spec, ownerId: system.ownerId })),
    );
    summary.entitlements = await insertAll(
      tx,
      entitlements,
      seedEntitlements.map((e) => ({
        id: e.id,
        systemId: e.system.id,
        name: e.spec.name,
        description: e.spec.description,
        privilegeLevel: e.spec.level,
        ownerId: e.ownerId,
        externalRef: e.spec.externalRef,
        permissions: e.spec.permissions ?? null,
        createdAt: connected,
        updatedAt: connected,
      })),
    );
    step(`${summary.systems} systems, ${summary.entitlements} entitlements`);

    // Non-human identities and their credentials.
    const nhis = buildNhis(Math.round(org.people.length * NHIS_PER_PERSON), org, seedSystems, now, ids);
    summary.nhis = await insertAll(
      tx,
      identities,
      nhis.map((n) => ({
        id: n.id,
        kind: n.kind,
        name: n.name,
        displayName: n.name,
        externalId: n.externalId,
        systemId: n.system.id,
        teamId: n.team ? teamIds.get(n.team)! : null,
        ownerId: n.ownerId,
        backupOwnerId: n.backupOwnerId,
        purpose: n.purpose,
        status: n.status,
        nextAttestationAt: n.nextAttestationAt,
        lastAttestedAt: n.lastAttestedAt,
        createdAt: n.createdAt,
        updatedAt: n.endedAt ?? n.disabledAt ?? n.lastAttestedAt ?? n.createdAt,
      })),
    );
    summary.credentials = await insertAll(tx, credentials, buildCredentials(nhis, now, ids));
    step(`${summary.nhis} NHIs, ${summary.credentials} credentials`);

    // Grants, eligibility policies and just-in-time history, then lifecycle signals.
    const plan = buildGrants(org, nhis, seedEntitlements, now, ids);
    const jit = buildJit(org, teamIds, nhis, seedEntitlements, plan.rows, now, ids);
    // Policies first: an eligible grant names the policy that issued it.
    summary.eligibilityPolicies = await insertAll(tx, eligibilityPolicies, jit.policies);
    summary.grants = await insertAll(tx, grants, [...plan.rows, ...jit.grants]);
    await recordLatestDecisions(tx);
    plan.rows.length = 0; // only the usage view of the grants is needed from here on
    summary.jitRequests = await insertAll(tx, jitRequests, jit.requests);
    await insertAll(tx, jitApprovals, jit.approvals);
    await insertAll(tx, pamSessions, jit.sessions);
    await insertAll(tx, pamSessionEvents, jit.sessionEvents);
    step(`${summary.grants} grants, ${summary.eligibilityPolicies} eligibility policies, ${summary.jitRequests} JIT requests`);
    const lifecycle: (typeof lifecycleEvents.$inferInsert)[] = [];
    for (const p of org.people) {
      lifecycle.push({
        id: ids.uuid(),
        identityId: p.id,
        type: "joiner",
        source: "workday",
        details: { title: p.title, team: p.team, managerId: p.managerId },
        occurredAt: p.startedAt,
        processedAt: new Date(p.startedAt.getTime() + 2 * HOUR),
        createdAt: p.startedAt,
      });
    }
    for (const p of org.leavers) {
      // The leave is known but nobody acted on it: access, keys and owned NHIs are untouched.
      lifecycle.push({
        id: ids.uuid(),
        identityId: p.id,
        type: "leaver",
        source: "workday",
        details: { lastDay: p.leftAt!.toISOString().slice(0, 10), reason: "resignation" },
        occurredAt: p.leftAt!,
        processedAt: null,
        createdAt: p.leftAt!,
      });
    }
    for (const n of nhis) {
      if (n.status !== "decommissioned" || !n.endedAt) continue;
      lifecycle.push({
        id: ids.uuid(),
        identityId: n.id,
        type: "decommission",
        source: "owner",
        details: { reason: "No longer needed" },
        occurredAt: n.endedAt,
        processedAt: new Date(n.endedAt.getTime() + HOUR),
        createdAt: n.endedAt,
      });
    }
    summary.lifecycleEvents = await insertAll(tx, lifecycleEvents, lifecycle);

    // Usage evidence and roll-ups.
    const usage = await seedUsage(tx, {
      org,
      nhis,
      grants: plan.infos,
      liveKeys: plan.liveKeys,
      sessions: jit.usage,
      entitlements: seedEntitlements,
      systems: seedSystems,
      now,
      log,
    });
    Object.assign(summary, usage);
    step(`${usage.usageEvents} usage events, ${usage.usageRollups} roll-ups, ${usage.usageDaily} daily rows`);

    // The audit trail: one row per identity created, then one for the whole load.
    function* entries(): Generator<SeedAuditEntry> {
      for (const p of org.people) {
        yield {
          action: "identity.created",
          entityType: "identity",
          entityId: p.id,
          after: { kind: "human", name: p.name, ownerId: null, systemId: null, source: "seed" },
        };
      }
      for (const n of nhis) {
        yield {
          action: "identity.created",
          entityType: "identity",
          entityId: n.id,
          after: { kind: n.kind, name: n.name, ownerId: n.ownerId, systemId: n.system.id, source: "seed" },
        };
      }
      const { elapsedMs: _elapsed, skipped: _skipped, auditRows: _audit, ...counts } = summary;
      yield { action: "seed.loaded", entityType: "seed", entityId: "acme", after: { ...counts, source: "seed" } };
    }
    summary.auditRows = await appendSeedAudit(tx, entries());
    step(`${summary.auditRows} audit rows`);
  });
  if (!summary.skipped) {
    // Fresh planner statistics after a bulk load; without them PostgreSQL picks
    // nested loops over tables it still believes are empty.
    await db.execute(sql`analyze`);
    log("seed: statistics refreshed");
  }

  summary.elapsedMs = performance.now() - started;
  log(`seed: done in ${Math.round(summary.elapsedMs)} ms`);
  return summary;
}
