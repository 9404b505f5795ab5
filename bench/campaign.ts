/**
 * npm run bench:campaign — seeds a large organisation into DATABASE_URL if it is
 * empty (BENCH_SCALE, default 45: about 100,000 live grants), launches a campaign
 * over every grant and prints how long the launch took, then the p50/p95 of
 * loading a 50-item page of the busiest reviewer's queue.
 * DATABASE_URL=postgres://…/bench_campaign npm run bench:campaign
 */
import { count, desc, eq, sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { reviewItems } from "@/db/schema";
import { isSeeded, seed } from "@/db/seed";
import { personas } from "@/db/seed/personas";
import { findHumanByEmail, resolveCaller } from "@/lib/caller";
import { createCampaign } from "@/lib/certification/campaigns";
import { launchCampaign } from "@/lib/certification/launch";
import { listMyReviews } from "@/lib/certification/queue";
import { percentile, timeRuns } from "./stats";
import { useBenchAuditKey } from "./audit-key";

const scale = Number(process.env.BENCH_SCALE ?? 45);
const runs = Number(process.env.BENCH_RUNS ?? 50);

useBenchAuditKey();
const database = await openDatabase();
await migrate(database);
const { db } = database;
if (!(await isSeeded(db))) {
  console.log(`seeding scale ${scale} into ${database.target.kind}…`);
  const summary = await seed(db, { scale });
  console.log(`seeded in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.grants.toLocaleString("en")} grants`);
}
const admin = (await resolveCaller(db, (await findHumanByEmail(db, personas[0].email)).id))!;
const campaign = await createCampaign(db, admin, {
  name: `Benchmark review ${new Date().toISOString()}`,
  reviewerStrategy: "owner_or_manager",
  fallbackReviewerId: admin.identityId,
  startsAt: new Date().toISOString(),
  dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
});
const t = performance.now();
const { items } = await launchCampaign(db, admin, campaign.id);
const launchMs = performance.now() - t;
console.log(
  `launch: ${items.toLocaleString("en")} review items in ${(launchMs / 1000).toFixed(2)} s (${Math.round(items / (launchMs / 1000)).toLocaleString("en")} items/s)`,
);

const [busiest] = await db
  .select({ reviewerId: reviewItems.reviewerId, n: count() })
  .from(reviewItems)
  .where(eq(reviewItems.campaignId, campaign.id))
  .groupBy(reviewItems.reviewerId)
  .orderBy(desc(count()))
  .limit(1);
const reviewer = (await resolveCaller(db, busiest.reviewerId))!;
await db.execute(sql`analyze review_items`);
for (const [label, query] of [
  ["queue page 1", { campaignId: campaign.id }],
  ["queue page 1, all campaigns", {}],
  ["queue page 10", { campaignId: campaign.id, page: 10 }],
  ["queue filtered: admin, recommend revoke", { privilegeLevel: "admin", recommendation: "revoke" }],
] as const) {
  const samples = await timeRuns(runs, () => listMyReviews(db, reviewer, query));
  console.log(
    `${label.padEnd(42)} (${busiest.n.toLocaleString("en")} items) p50 ${percentile(samples, 50).toFixed(1)} ms  p95 ${percentile(samples, 95).toFixed(1)} ms`,
  );
}
await database.close();
