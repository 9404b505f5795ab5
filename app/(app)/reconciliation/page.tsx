import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { getVisibleIdentity } from "@/lib/identities/detail";
import { listActivePeople, listSystems } from "@/lib/identities/list";
import { FINDING_READERS, findingQuery, listFindings } from "@/lib/reconciliation/findings";
import { frameworkControls } from "@/lib/reconciliation/frameworks";
import { lastReconciledAt } from "@/lib/reconciliation/identity-risk";
import { pathClassChoices } from "@/lib/escalation/catalogue";
import { FindingsView } from "@/components/reconciliation/findings-view";
import { Forbidden } from "@/components/ui/forbidden";

export const metadata = { title: "Findings · Reconciliation" };

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requireCaller();
  if (!hasRole(caller, ...FINDING_READERS)) return <Forbidden what="reconciliation findings" />;
  const raw = await searchParams;
  // The list's own query fields: a filter added there is read from the URL here too.
  const filters = Object.fromEntries(
    Object.keys(findingQuery.shape)
      .map((k): [string, string | undefined] => [k, Array.isArray(raw[k]) ? raw[k][0] : raw[k]])
      .filter(([, v]) => v),
  );
  const pathClasses = pathClassChoices();
  // An unknown path class is ignored, and the list says so (the API refuses it).
  if (filters.pathClass && !pathClasses.some((c) => c.value === filters.pathClass)) delete filters.pathClass;
  const db = await getDb();
  const admin = hasRole(caller, "admin");
  const [initial, systems, people, identity, reconciledAt] = await Promise.all([
    // A malformed filter is answered by the list itself (the client shows the server's words).
    listFindings(db, caller, filters).catch((e) => {
      if (e instanceof ValidationError) return null;
      throw e;
    }),
    listSystems(db),
    admin ? listActivePeople(db) : Promise.resolve([]),
    filters.identityId
      ? getVisibleIdentity(db, caller, filters.identityId).catch((e) => {
          if (e instanceof NotFoundError) return null;
          throw e;
        })
      : Promise.resolve(null),
    lastReconciledAt(db),
  ]);
  const identityName = identity ? (identity.identity.kind === "human" ? identity.identity.displayName : identity.identity.name) : null;
  return (
    <FindingsView
      initial={initial}
      systems={systems.map((s) => ({ value: s.id, label: s.name }))}
      people={people}
      pathClasses={pathClasses}
      controls={frameworkControls.map((c) => ({ value: c.id, label: `${c.code} ${c.title.length > 28 ? `${c.title.slice(0, 27)}…` : c.title}` }))}
      canAct={admin}
      identityName={identityName}
      reconciled={reconciledAt !== null}
    />
  );
}
