import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { listEligibility } from "@/lib/jit/eligibility";
import { listRequests } from "@/lib/jit/list";
import { EligibilityList } from "@/components/jit/eligibility-list";
import { MyRequests } from "@/components/jit/my-requests";

export const metadata = { title: "Access requests" };

export default async function AccessRequestsPage() {
  const caller = await requireCaller();
  const db = await getDb();
  const [eligibility, mine] = await Promise.all([listEligibility(db, caller.identityId), listRequests(db, caller, { scope: "mine", pageSize: "25" })]);
  return (
    <div className="space-y-8">
      <section>
        <h2 className="mb-2 text-sm font-semibold text-slate-700">What you may request</h2>
        <EligibilityList eligibility={eligibility} />
      </section>
      <section>
        <h2 className="mb-2 text-sm font-semibold text-slate-700">Your requests</h2>
        <MyRequests initial={mine} />
      </section>
    </div>
  );
}
