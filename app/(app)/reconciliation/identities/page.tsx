import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { NotFoundError } from "@/lib/errors";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { IdentityReconciliationView, type PickedIdentity } from "@/components/reconciliation/identity-reconciliation";
import { EmptyState } from "@/components/ui/card";

export const metadata = { title: "Identity reconciliation" };

/** Anyone who may see the identity may see how its access was used (the identity page links here). */
export default async function IdentityReconciliationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requireCaller();
  const raw = (await searchParams).identityId;
  const identityId = Array.isArray(raw) ? raw[0] : raw;
  let identity: PickedIdentity | null = null;
  if (identityId) {
    try {
      const found = await getVisibleIdentity(await getDb(), caller, identityId);
      const i = found.identity;
      identity = { id: i.id, name: i.kind === "human" ? i.displayName : i.name, kind: i.kind, systemName: found.systemName };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return <EmptyState title="No such identity.">It does not exist, or it is outside what you may see.</EmptyState>;
    }
  }
  return <IdentityReconciliationView key={identity?.id ?? "none"} identity={identity} />;
}
