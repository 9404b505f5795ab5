import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { listRequests } from "@/lib/jit/list";
import { ApprovalQueue } from "@/components/jit/approval-queue";

export const metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const caller = await requireCaller();
  const db = await getDb();
  const [pending, postReview] = await Promise.all([
    listRequests(db, caller, { scope: "approvals" }),
    listRequests(db, caller, { scope: "approvals", postReview: "1" }),
  ]);
  return <ApprovalQueue initial={pending} postReview={postReview} />;
}
