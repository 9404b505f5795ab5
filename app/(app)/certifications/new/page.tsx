import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { campaignFormChoices } from "@/lib/certification/campaigns";
import { CampaignForm } from "@/components/certification/campaign-form";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "New campaign" };

export default async function NewCampaignPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin")) return <Forbidden what="creating campaigns" />;
  const db = await getDb();
  const { systems, people, entitlements } = await campaignFormChoices(db, caller);
  return (
    <>
      <PageHeader
        title="New certification campaign"
        description="The campaign starts as a draft; launching it snapshots the access in scope into review items."
      />
      <CampaignForm systems={systems} entitlements={entitlements} people={people.map((p) => ({ id: p.id, name: p.displayName }))} />
    </>
  );
}
