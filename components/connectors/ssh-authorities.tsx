"use client";

import { api } from "@/lib/http/client";
import { ActionButton } from "@/components/ui/action-button";
import { formatDateTime } from "@/components/ui/format";

type Ca = { publicKey: string; fingerprint: string; createdAt: string; retiredAt?: string };

/**
 * An SSH connector's certificate authorities: what the targets must trust
 * (TrustedUserCAKeys, two keys during a rotation), and for an admin, starting
 * a rotation and retiring the old CA once what it signed has ended.
 */
export function SshAuthorities({ id, cas, krlPath, canEdit }: { id: string; cas: Ca[]; krlPath?: string; canEdit: boolean }) {
  const trusted = cas.filter((c) => !c.retiredAt);
  const signing = trusted.at(-1);
  return (
    <section className="mb-6 space-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm" data-testid="ssh-authorities">
      <h3 className="font-semibold">Certificate authorities</h3>
      <p className="text-xs text-slate-600">
        Targets trust these in <code>TrustedUserCAKeys</code>, map principals to accounts in <code>AuthorizedPrincipalsFile</code>, and read the revocation list
        in <code>RevokedKeys</code>
        {krlPath ? (
          <>
            {" "}
            (written to <code>{krlPath}</code>)
          </>
        ) : (
          " (no file configured: nothing is written)"
        )}
        .
      </p>
      <ul className="space-y-1">
        {cas.map((c) => (
          <li key={c.fingerprint} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              <code className="text-xs">{c.fingerprint}</code>{" "}
              <span className="text-xs text-slate-500">
                since {formatDateTime(c.createdAt)}
                {c.retiredAt ? `, retired ${formatDateTime(c.retiredAt)}` : c === signing ? ", signs now" : ", trusted during the rotation"}
              </span>
            </span>
            {canEdit && !c.retiredAt && c !== signing && (
              <ActionButton
                variant="small"
                action={() => api(`/api/v1/connectors/${id}/retire-ca`, { body: { fingerprint: c.fingerprint } })}
                done={() => "Retired: update the targets' TrustedUserCAKeys."}
              >
                Retire
              </ActionButton>
            )}
          </li>
        ))}
      </ul>
      <p className="text-xs font-medium text-slate-600">TrustedUserCAKeys</p>
      <pre className="overflow-x-auto rounded bg-slate-100 p-2 text-xs" data-testid="trusted-ca-keys">
        {trusted.map((c) => c.publicKey).join("\n")}
      </pre>
      {canEdit && (
        <ActionButton
          variant="secondary"
          align="start"
          action={() => api(`/api/v1/connectors/${id}/rotate-ca`, { body: {} })}
          done={() => "A new CA signs from now on; add its key to the targets, keep the old one until you retire it."}
        >
          Rotate the CA
        </ActionButton>
      )}
    </section>
  );
}
