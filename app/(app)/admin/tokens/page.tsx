import Link from "next/link";
import { getDb } from "@/db/client";
import { tokenScopes } from "@/db/schema";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { listTokens } from "@/lib/auth/tokens";
import { listSystems } from "@/lib/identities/list";
import { TokenManager } from "@/components/admin/token-manager";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { overTheWire } from "@/lib/http/client";

export const metadata = { title: "API tokens" };

export default async function TokensPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="API tokens" />;
  const db = await getDb();
  const [tokens, systemList] = await Promise.all([listTokens(db, caller), listSystems(db)]);
  return (
    <>
      <Link href="/admin" className="text-sm text-brand-700 hover:underline">
        ← Admin
      </Link>
      <PageHeader
        title="API tokens"
        description="Bearer tokens for pipelines acting as their NHI (JIT elevation), usage and session sources, and identity providers (SCIM). Only a hash is kept; a token is shown once, when issued."
      />
      <TokenManager initial={overTheWire(tokens)} systems={systemList} scopes={[...tokenScopes]} canIssue={hasRole(caller, "admin")} />
    </>
  );
}
