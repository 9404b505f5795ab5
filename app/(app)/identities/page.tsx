import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { ValidationError } from "@/lib/errors";
import { listActivePeople, listIdentities, listSystems } from "@/lib/identities/list";
import { IdentityTable } from "@/components/identities/identity-table";
import { PageHeader } from "@/components/ui/page-header";
import { identityKinds, identityStatuses } from "@/db/schema";

export const metadata = { title: "Identities" };

export default async function IdentitiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const caller = await requireCaller();
  const params = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const db = await getDb();
  const [systems, people] = await Promise.all([listSystems(db), listActivePeople(db)]);
  let initial = null;
  let error: Record<string, string[]> | null = null;
  try {
    initial = await listIdentities(db, caller, params);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = e.fieldErrors;
  }
  return (
    <>
      <PageHeader
        title="Identities"
        description="People and non-human identities: service accounts, API keys, workload roles, bots, AI agents and certificates, with their owners and privilege."
      />
      <IdentityTable
        initialParams={params}
        initial={initial}
        initialError={error}
        systems={systems}
        people={people}
        kinds={identityKinds}
        statuses={identityStatuses}
      />
    </>
  );
}
