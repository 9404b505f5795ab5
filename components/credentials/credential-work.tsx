import Link from "next/link";
import { CredentialDoneButton } from "./credential-done-button";
import { CredentialTaskBadges } from "./task-badges";
import type { listCredentialTasks } from "@/lib/credentials/rotation";

type Row = Awaited<ReturnType<typeof listCredentialTasks>>[number];

/** Rotations and revocations waiting on the viewer, most overdue first, each with the action that closes it. */
export function CredentialWork({ tasks }: { tasks: Row[] }) {
  return (
    <ul className="divide-y divide-slate-100 text-sm" data-testid="credential-work">
      {tasks.map((t) => (
        <li key={t.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
          <span>
            <Link className="font-medium text-brand-700 hover:underline" href={`/identities/${t.identityId}`}>
              {t.identityName}
            </Link>{" "}
            <span className="font-mono text-xs">{t.label}</span> <span className="text-xs text-slate-500">{t.type.replace("_", " ")}</span>
            <div className="text-xs text-slate-500">{t.reason}</div>
            <CredentialTaskBadges tasks={[t]} />
          </span>
          {t.canMarkDone && <CredentialDoneButton credentialId={t.credentialId} label={t.label} done={t.kind === "revoke" ? "revoked" : "rotated"} />}
        </li>
      ))}
    </ul>
  );
}
