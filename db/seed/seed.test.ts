import { and, asc, count, eq, inArray, isNotNull, isNull, ne, or, sql, sum } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../testing";
import type { Database } from "../client";
import { GENESIS_HASH, keyedAuditHash } from "../audit-chain";
import { currentAuditKey } from "../audit-key";
import {
  DEFAULT_ATTESTATION_INTERVAL_DAYS,
  auditLog,
  eligibilityPolicies,
  entitlements,
  grantDecisions,
  grants,
  identities,
  jitRequests,
  roleAssignments,
  teams,
  usageEvents,
  usageRollups,
} from "../schema";
import { isSeeded, seed, type SeedSummary } from "./index";
import { personas } from "./personas";

const NOW = new Date("2026-11-22T00:00:00.000Z");
const SCALE = 0.25;

async function identityNames(database: Database): Promise<string[]> {
  const rows = await database.db.select({ name: identities.name }).from(identities);
  return rows.map((r) => r.name).sort();
}

describe("demo seed", () => {
  let database: Database;
  let summary: SeedSummary;

  beforeAll(async () => {
    database = await isolatedDatabase();
    expect(await isSeeded(database.db)).toBe(false);
    summary = await seed(database.db, { scale: SCALE, now: NOW });
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  it("loads every kind of row", () => {
    expect(summary.skipped).toBe(false);
    expect(summary.people).toBe(10);
    expect(summary.teams).toBe(8);
    expect(summary.nhis).toBeGreaterThan(200);
    for (const key of [
      "systems",
      "entitlements",
      "credentials",
      "grants",
      "roleAssignments",
      "lifecycleEvents",
      "usageEvents",
      "usageRollups",
      "usageDaily",
    ] as const) {
      expect(summary[key], key).toBeGreaterThan(0);
    }
  });

  it("creates the six personas with their names, titles, teams and roles", async () => {
    const { db } = database;
    for (const persona of personas) {
      const [row] = await db
        .select({
          id: identities.id,
          displayName: identities.displayName,
          title: identities.title,
          kind: identities.kind,
          status: identities.status,
          team: teams.name,
        })
        .from(identities)
        .leftJoin(teams, eq(teams.id, identities.teamId))
        .where(eq(identities.email, persona.email));
      expect(row, persona.email).toBeDefined();
      expect(row).toMatchObject({ displayName: persona.name, title: persona.title, team: persona.team, kind: "human", status: "active" });
      const roles = await db.select({ role: roleAssignments.role }).from(roleAssignments).where(eq(roleAssignments.identityId, row.id));
      expect(roles.map((r) => r.role).sort()).toEqual([...persona.roles].sort());
    }
    const manager = alias(identities, "manager");
    const [lena] = await db
      .select({ manager: manager.email })
      .from(identities)
      .innerJoin(manager, eq(manager.id, identities.managerId))
      .where(eq(identities.email, "lena.novak@acme.example"));
    expect(lena.manager).toBe("sofia.alvarez@acme.example");
  });

  it("gives every active NHI an active human owner, except the orphans", async () => {
    const { db } = database;
    const owner = alias(identities, "owner");
    const activeNhi = and(ne(identities.kind, "human"), eq(identities.status, "active"));
    const [orphans] = await db
      .select({ n: count() })
      .from(identities)
      .leftJoin(owner, eq(owner.id, identities.ownerId))
      .where(and(activeNhi, or(isNull(identities.ownerId), ne(owner.status, "active"))));
    const [badOwners] = await db
      .select({ n: count() })
      .from(identities)
      .innerJoin(owner, eq(owner.id, identities.ownerId))
      .where(and(activeNhi, ne(owner.kind, "human")));
    expect(orphans.n).toBeGreaterThan(0);
    expect(badOwners.n).toBe(0);
  });

  it("schedules attestations as the default policy would: at most one interval ahead, one interval after the last", async () => {
    const { db } = database;
    const live = and(ne(identities.kind, "human"), ne(identities.status, "decommissioned"));
    const interval = sql`make_interval(days => ${DEFAULT_ATTESTATION_INTERVAL_DAYS})`;
    const [tooFar] = await db
      .select({ n: count() })
      .from(identities)
      .where(and(live, sql`${identities.nextAttestationAt} > ${NOW.toISOString()}::timestamptz + ${interval}`));
    const [offCycle] = await db
      .select({ n: count() })
      .from(identities)
      .where(and(live, isNotNull(identities.lastAttestedAt), sql`${identities.nextAttestationAt} <> ${identities.lastAttestedAt} + ${interval}`));
    expect([tooFar.n, offCycle.n]).toEqual([0, 0]);
  });

  it("leaves some privileged standing grants unused", async () => {
    const [unused] = await database.db
      .select({ n: count() })
      .from(grants)
      .innerJoin(entitlements, eq(entitlements.id, grants.entitlementId))
      .leftJoin(usageRollups, and(eq(usageRollups.identityId, grants.identityId), eq(usageRollups.entitlementId, grants.entitlementId)))
      .where(
        and(
          eq(grants.type, "standing"),
          isNull(grants.revokedAt),
          inArray(entitlements.privilegeLevel, ["privileged", "admin"]),
          isNull(usageRollups.identityId),
        ),
      );
    expect(unused.n).toBeGreaterThan(0);
  });

  it("keeps the usage roll-ups equal to the events", async () => {
    const [rollups] = await database.db.select({ total: sum(usageRollups.successCount).mapWith(Number) }).from(usageRollups);
    const [events] = await database.db
      .select({ n: count() })
      .from(usageEvents)
      .where(and(eq(usageEvents.outcome, "success"), isNotNull(usageEvents.entitlementId)));
    expect(events.n).toBeGreaterThan(0);
    expect(rollups.total).toBe(events.n);
  });

  it("writes one signed, chained audit row per identity, plus the load itself", async () => {
    const { db } = database;
    const [ids] = await db.select({ n: count() }).from(identities);
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.id));
    expect(rows.length).toBe(ids.n + 1);
    expect(summary.auditRows).toBe(rows.length);
    expect(rows.at(-1)?.action).toBe("seed.loaded");
    const key = currentAuditKey();
    let prev = GENESIS_HASH;
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({ prevHash: prev, seq: i + 1, keyId: key.id });
      expect(keyedAuditHash(key, row.seq, prev, row)).toBe(row.hash);
      prev = row.hash;
    }
  });

  it("backs every eligible grant with a live policy and leaves a JIT history with one request waiting and one window open", async () => {
    const { db } = database;
    const orphanEligibility = await db
      .select({ id: grants.id })
      .from(grants)
      .leftJoin(eligibilityPolicies, eq(eligibilityPolicies.id, grants.policyId))
      .where(and(eq(grants.type, "eligible"), isNull(eligibilityPolicies.id)));
    expect(orphanEligibility).toEqual([]);
    // Every approved grant carries its decision in its history.
    const undocumented = await db
      .select({ id: grants.id })
      .from(grants)
      .where(and(ne(grants.provenance, "none"), sql`not exists (select 1 from ${grantDecisions} d where d.grant_id = ${grants.id})`));
    expect(undocumented).toEqual([]);
    expect(summary.eligibilityPolicies).toBeGreaterThanOrEqual(8);
    const statuses = await db
      .select({ status: jitRequests.status, breakGlass: jitRequests.breakGlass, n: count() })
      .from(jitRequests)
      .groupBy(jitRequests.status, jitRequests.breakGlass);
    const n = (status: string, breakGlass = false) => statuses.find((s) => s.status === status && s.breakGlass === breakGlass)?.n ?? 0;
    for (const status of ["expired", "released", "denied", "timed_out"]) expect(n(status), status).toBeGreaterThan(0);
    expect(n("expired", true)).toBeGreaterThan(0);
    expect(n("pending")).toBe(1);
    expect(n("active")).toBe(1);
    // Every approved window has its grant, bound to the request.
    const unbound = await db
      .select({ id: jitRequests.id })
      .from(jitRequests)
      .leftJoin(grants, eq(grants.id, jitRequests.grantId))
      .where(
        and(
          inArray(jitRequests.status, ["expired", "released", "revoked", "active"]),
          or(isNull(grants.id), sql`${grants.provenanceRef} <> ${jitRequests.id}::text`),
        ),
      );
    expect(unbound).toEqual([]);
  });

  it("reports the database as seeded and does not seed it twice", async () => {
    expect(await isSeeded(database.db)).toBe(true);
    const again = await seed(database.db, { scale: SCALE, now: NOW });
    expect(again.skipped).toBe(true);
    const [ids] = await database.db.select({ n: sql<number>`count(*)::int` }).from(identities);
    expect(ids.n).toBe(summary.people + summary.nhis);
  });

  it("is deterministic for the same scale and date", async () => {
    const other = await isolatedDatabase();
    try {
      const second = await seed(other.db, { scale: SCALE, now: NOW });
      expect(await identityNames(other)).toEqual(await identityNames(database));
      const strip = ({ elapsedMs: _a, ...rest }: SeedSummary) => rest;
      expect(strip(second)).toEqual(strip(summary));
    } finally {
      await other.close();
    }
  }, 60_000);

  it("seeds larger organisations too, where eligible grants fall back to default policies", async () => {
    const other = await isolatedDatabase();
    try {
      const big = await seed(other.db, { scale: 2, now: NOW });
      expect(big.skipped).toBe(false);
      const fallbacks = await other.db
        .select({ teamIds: eligibilityPolicies.teamIds })
        .from(eligibilityPolicies)
        .where(sql`${eligibilityPolicies.name} like 'Just-in-time %'`);
      expect(fallbacks.length).toBeGreaterThan(0);
      expect(fallbacks.every((p) => p.teamIds.length === 0)).toBe(true);
    } finally {
      await other.close();
    }
  }, 120_000);
});
