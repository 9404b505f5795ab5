/**
 * npm run bench:auth — times bearer-token authentication in-process on
 * DATABASE_URL: the valid path of the API (GET /api/v1/me with an NHI token)
 * and of SCIM (ServiceProviderConfig), then BENCH_GUESSES wrong tokens from
 * one source (how many answers are 401 and how many 429).
 * Run it on a PostgreSQL database of its own: DATABASE_URL=postgres://…/bench npm run bench:auth
 */
import { openDatabase, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { identities, roleAssignments } from "@/db/schema";
import { resolveCaller } from "@/lib/caller";
import { issueToken } from "@/lib/auth/tokens";
import { serveScim } from "@/lib/scim/handler";
import { GET as me } from "@/app/api/v1/me/route";
import { percentile, timeRuns } from "./stats";

const runs = Number(process.env.BENCH_RUNS ?? 2000);
const guesses = Number(process.env.BENCH_GUESSES ?? 2000);

const database = await openDatabase();
await migrate(database);
// Route handlers reach the database through getDb(): hand them this one.
(globalThis as unknown as { __govDb?: Promise<Database> }).__govDb = Promise.resolve(database);
const { db } = database;

const tag = `bench-${Date.now()}`;
const [admin] = await db
  .insert(identities)
  .values({ kind: "human", name: `${tag}-admin`, displayName: "Bench admin", email: `${tag}@bench.example` })
  .returning();
await db.insert(roleAssignments).values({ identityId: admin.id, role: "admin" });
const [nhi] = await db
  .insert(identities)
  .values({ kind: "service_account", name: `${tag}-svc`, displayName: "Bench pipeline", ownerId: admin.id })
  .returning();
const caller = (await resolveCaller(db, admin.id))!;
const jit = await issueToken(db, caller, { name: `${tag} jit`, scopes: ["jit:read"], identityId: nhi.id });
const scim = await issueToken(db, caller, { name: `${tag} scim`, scopes: ["scim"] });

const from = (source: string, bearer: string) => ({ authorization: `Bearer ${bearer}`, "x-gov-peer-address": source, "x-forwarded-for": source });
const apiCall = (source: string, bearer: string) =>
  me(new Request("http://localhost/api/v1/me", { headers: from(source, bearer) }), { params: Promise.resolve({}) });
const scimCall = (source: string, bearer: string) =>
  serveScim(db, {
    method: "GET",
    segments: ["ServiceProviderConfig"],
    searchParams: new URLSearchParams(),
    headers: new Headers(from(source, bearer)),
    baseUrl: "http://localhost/scim/v2",
  });

function report(label: string, samples: number[]) {
  const total = samples.reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(36)} p50 ${percentile(samples, 50).toFixed(2).padStart(6)} ms   p95 ${percentile(samples, 95).toFixed(2).padStart(6)} ms   ${((samples.length / total) * 1000).toFixed(0).padStart(5)} req/s`,
  );
}

console.log(`${database.target.kind}: ${runs} runs each\n`);
report(
  "API, valid NHI token",
  await timeRuns(runs, async () => {
    const res = await apiCall("198.51.100.7", jit.token);
    if (res.status !== 200) throw new Error(`valid token answered ${res.status}`);
  }),
);
report(
  "SCIM, valid token",
  await timeRuns(runs, async () => {
    const res = await scimCall("198.51.100.8", scim.token);
    if (res.status !== 200) throw new Error(`valid SCIM token answered ${res.status}`);
  }),
);

const statuses = new Map<number, number>();
const started = performance.now();
for (let i = 0; i < guesses; i++) {
  const res = await apiCall("203.0.113.9", `gov_${i.toString(36).padStart(43, "x")}`);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${guesses} wrong tokens from one source in ${seconds.toFixed(1)} s (${(guesses / seconds).toFixed(0)}/s): ${[...statuses].map(([s, n]) => `${n} × ${s}`).join(", ")}`,
);
report(
  "API, valid token while a source is blocked",
  await timeRuns(runs, async () => {
    const res = await apiCall("198.51.100.7", jit.token);
    if (res.status !== 200) throw new Error(`valid token answered ${res.status}`);
  }),
);
await database.close();
