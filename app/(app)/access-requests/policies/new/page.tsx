import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { policyFormOptions } from "@/lib/jit/policies";
import { PolicyForm } from "@/components/jit/policy-form";
import { Forbidden } from "@/components/ui/forbidden";

export const metadata = { title: "New eligibility policy" };

export default async function NewPolicyPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin")) return <Forbidden what="creating eligibility policies" />;
  return <PolicyForm options={await policyFormOptions(await getDb())} />;
}
