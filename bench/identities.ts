/**
 * npm run bench:identities — seeds a large organisation (BENCH_SCALE, default 25:
 * about 1,000 people and 27,500 NHIs) into DATABASE_URL if it is empty and prints
 * p50/p95 latency of the inventory, identity page and dashboard queries.
 * Run it against PostgreSQL: DATABASE_URL=postgres://…/bench npm run bench:identities
 */
import { count, eq } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { identities } from "@/db/schema";
import { isSeeded, seed } from "@/db/seed";
import { personas } from "@/db/seed/personas";
import { findHumanByEmail, resolveCaller } from "@/lib/caller";
import { inventorySummary } from "@/lib/dashboard/summary";
import { getIdentityDetail } from "@/lib/identities/detail";
import { listIdentities } from "@/lib/identities/list";
import { percentile, timeRuns } from "./stats";
import { useBenchAuditKey } from "./audit-key";

const scale = Number(process.env.BENCH_SCALE ?? 25);
const runs = Number(process.env.BENCH_RUNS ?? 30);

async function time(label: string, fn: (i: number) => Promise<unknown>) {
  const samples = await timeRuns(runs, fn);
  console.log(`${label.padEnd(44)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(samples, 95).toFixed(1).padStart(7)} ms`);
}

useBenchAuditKey();
const database = await openDatabase();
await migrate(database);
const { db } = database;
if (!(await isSeeded(db))) {
  console.log(`seeding scale ${scale} into ${database.target.kind}…`);
  const summary = await seed(db, { scale });
  console.log(`seeded in ${(summary.elapsedMs / 1000).toFixed(1)} s`);
}
const [{ n }] = await db.select({ n: count() }).from(identities);
console.log(`${database.target.kind}: ${n.toLocaleString("en")} identities; ${runs} runs each\n`);

const admin = (await resolveCaller(db, (await findHumanByEmail(db, personas[0].email)).id))!;
const requester = (await resolveCaller(db, (await findHumanByEmail(db, personas.find((p) => p.key === "requester")!.email)).id))!;
const sample = await db
  .select({ id: identities.id })
  .from(identities)
  .where(eq(identities.kind, "service_account"))
  .limit(runs + 1);

await time("inventory: first page, 50 rows", () => listIdentities(db, admin, {}));
await time("inventory: kind=api_key", () => listIdentities(db, admin, { kind: "api_key" }));
await time("inventory: orphaned", () => listIdentities(db, admin, { orphaned: "true" }));
await time("inventory: privileged", () => listIdentities(db, admin, { privileged: "true" }));
await time("inventory: search 'payments'", () => listIdentities(db, admin, { q: "payments" }));
await time("inventory: sort by last used", () => listIdentities(db, admin, { sort: "last_used" }));
await time("inventory: page 100", () => listIdentities(db, admin, { page: 100 }));
await time("inventory: as a requester (own corner)", () => listIdentities(db, requester, {}));
await time("identity page (detail)", (i) => getIdentityDetail(db, admin, sample[i % sample.length].id));
await time("dashboard summary", () => inventorySummary(db, admin));
await database.close();
