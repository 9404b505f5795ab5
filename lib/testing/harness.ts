import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { openDatabase, resolveTarget, type Database, type Db } from "@/db/client";
import { migrate } from "@/db/migrate";
import { entitlements, identities, roleAssignments, systems, type IdentityKind, type PrivilegeLevel, type Role } from "@/db/schema";
import { resolveCaller, type Caller } from "@/lib/caller";
import { createGrants } from "@/lib/grants/decisions";
import { installJobs } from "@/lib/runtime/job-runner";

let current: Promise<Database> | null = null;

/**
 * The database for this test file: PostgreSQL when DATABASE_URL names one
 * (migrated by the global setup), otherwise a fresh in-memory PGlite.
 */
export function testDatabase(): Promise<Database> {
  if (!current) {
    const target = resolveTarget();
    current = (async () => {
      if (target.kind === "postgres") return openDatabase(target);
      const database = await openDatabase({ kind: "pglite", dataDir: null });
      await migrate(database);
      await installJobs(database);
      return database;
    })();
    afterAll(async () => (await current)?.close());
  }
  return current;
}

export const testDb = (): Promise<Db> => testDatabase().then((d) => d.db);

export const uniq = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function makePerson(db: Db, opts: { roles?: Role[]; managerId?: string; status?: "active" | "offboarded" | "disabled" } = {}) {
  const name = uniq("person");
  const [person] = await db
    .insert(identities)
    .values({ kind: "human", name, displayName: `Test ${name}`, email: `${name}@test.example`, managerId: opts.managerId, status: opts.status ?? "active" })
    .returning();
  if (opts.roles?.length) await db.insert(roleAssignments).values(opts.roles.map((role) => ({ identityId: person.id, role })));
  return person;
}

/** A signed-in caller with the given roles, as the app would resolve it. */
export async function makeCaller(db: Db, roles: Role[] = [], opts: { managerId?: string } = {}): Promise<Caller> {
  const person = await makePerson(db, { roles, managerId: opts.managerId });
  return (await resolveCaller(db, person.id))!;
}

export async function makeSystem(db: Db) {
  const [system] = await db
    .insert(systems)
    .values({ name: uniq("system"), kind: "aws_account" })
    .returning();
  return system;
}

export async function makeNhi(
  db: Db,
  opts: { ownerId?: string | null; backupOwnerId?: string; kind?: Exclude<IdentityKind, "human">; systemId?: string } = {},
) {
  const systemId = opts.systemId ?? (await makeSystem(db)).id;
  const [nhi] = await db
    .insert(identities)
    .values({
      kind: opts.kind ?? "service_account",
      name: uniq("svc"),
      displayName: "Test service account",
      systemId,
      ownerId: opts.ownerId ?? null,
      backupOwnerId: opts.backupOwnerId,
      purpose: "Runs the nightly test job",
    })
    .returning();
  return nhi;
}

export async function makeEntitlement(db: Db, opts: { level?: PrivilegeLevel; systemId?: string; ownerId?: string } = {}) {
  const systemId = opts.systemId ?? (await makeSystem(db)).id;
  const [entitlement] = await db
    .insert(entitlements)
    .values({ systemId, name: uniq("ent"), privilegeLevel: opts.level ?? "standard", ownerId: opts.ownerId })
    .returning();
  return entitlement;
}

export async function makeGrant(
  db: Db,
  identityId: string,
  opts: {
    level?: PrivilegeLevel;
    expiresAt?: Date;
    revokedAt?: Date;
    type?: "standing" | "eligible" | "jit";
    systemId?: string;
    entitlementOwnerId?: string;
  } = {},
) {
  const system = opts.systemId ? { id: opts.systemId } : await makeSystem(db);
  const entitlement = await makeEntitlement(db, { level: opts.level, systemId: system.id, ownerId: opts.entitlementOwnerId });
  const startsAt = new Date(Date.now() - 86_400_000);
  const [grant] = await createGrants(db, [
    {
      grant: { identityId, entitlementId: entitlement.id, type: opts.type ?? "standing", startsAt, expiresAt: opts.expiresAt, revokedAt: opts.revokedAt },
      decision: { kind: "manual", ref: null, decidedById: null, decidedAt: startsAt, reason: "Test fixture" },
    },
  ]);
  return { grant, entitlement, system };
}
