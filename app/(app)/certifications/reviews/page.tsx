import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { listCampaigns } from "@/lib/certification/campaigns";
import { listMyReviews } from "@/lib/certification/queue";
import { listActivePeople } from "@/lib/identities/list";
import { ValidationError } from "@/lib/errors";
import { ReviewQueueView } from "@/components/certification/review-queue";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "My reviews" };

export default async function MyReviewsPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const caller = await requireCaller();
  const params = await searchParams;
  const db = await getDb();
  const people = (await listActivePeople(db)).filter((p) => p.id !== caller.identityId);
  const campaigns = (await listCampaigns(db, caller, { reviewerOnly: true })).filter((c) => c.status === "active");
  let initial = null;
  try {
    initial = await listMyReviews(db, caller, params);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
  }
  return (
    <>
      <PageHeader
        title="My reviews"
        description="Access assigned to you in active campaigns, with the evidence to decide: usage, provenance, credential age and a recommendation."
      />
      <ReviewQueueView initial={initial} initialQs={new URLSearchParams(params).toString()} people={people} campaigns={campaigns} />
    </>
  );
}
