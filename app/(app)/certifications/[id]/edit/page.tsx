import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { NotFoundError } from "@/lib/errors";
import { campaignFormChoices, getCampaign } from "@/lib/certification/campaigns";
import { CampaignForm } from "@/components/certification/campaign-form";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { overTheWire } from "@/lib/http/client";

export const metadata = { title: "Edit campaign" };

export default async function EditCampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin")) return <Forbidden what="editing campaigns" />;
  const { id } = await params;
  const db = await getDb();
  const [campaign, { systems, people, entitlements }] = await Promise.all([
    getCampaign(db, caller, id).catch((e: unknown) => {
      if (e instanceof NotFoundError) notFound();
      throw e;
    }),
    campaignFormChoices(db, caller),
  ]);
  if (campaign.status !== "draft")
    return (
      <PageHeader
        title={campaign.name}
        description={
          <>
            This campaign is {campaign.status}: its settings stay as they were when it launched.{" "}
            <Link href={`/certifications/${id}`} className="text-brand-700 underline">
              Back to the campaign
            </Link>{" "}
            to clone it into a new draft.
          </>
        }
      />
    );
  return (
    <>
      <PageHeader
        title={`Edit “${campaign.name}”`}
        description="A draft changes freely until it is launched; launching snapshots the access in scope into review items."
      />
      <CampaignForm
        systems={systems}
        entitlements={entitlements}
        people={people.map((p) => ({ id: p.id, name: p.displayName }))}
        draft={overTheWire({ ...campaign, scope: campaign.scope })}
      />
    </>
  );
}
