"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, errorText } from "@/lib/http/client";
import { formatDate, kindLabels } from "@/components/ui/format";
import { IdentityPicker } from "@/components/ui/identity-picker";

type Member = { grantId: string; identityId: string; name: string; displayName: string; kind: string; since: Date | string; until?: Date | string | null };

function useCall() {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const call = <R,>(url: string, init: { method?: string; body?: unknown }, done: (r: R) => string) =>
    start(async () => {
      try {
        const result = await api<R>(url, init);
        setMessage({ ok: true, text: done(result) });
        router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  const note = message && (
    <p role={message.ok ? "status" : "alert"} className={`mt-2 text-sm ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
      {message.text}
    </p>
  );
  return { call, pending, note };
}

const who = (m: Member) => (m.kind === "human" ? m.displayName : m.name);

/** Named eligibility under a policy: add people or NHIs, end one person's eligibility. */
export function NamedEligibility({ policyId, members, canEdit }: { policyId: string; members: Member[]; canEdit: boolean }) {
  const { call, pending, note } = useCall();
  const [chosen, setChosen] = useState<string | null>(null);
  const [until, setUntil] = useState("");
  return (
    <div>
      {members.length === 0 ? (
        <p className="text-sm text-slate-600">Nobody is eligible by name{canEdit ? "; add people or NHIs below" : ""}.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="named-eligibility">
          {members.map((m) => (
            <li key={m.grantId} className="flex items-center justify-between gap-2 py-1.5">
              <span>
                <Link className="font-medium text-brand-700 hover:underline" href={`/identities/${m.identityId}`}>
                  {who(m)}
                </Link>{" "}
                <span className="text-xs text-slate-500">
                  {kindLabels[m.kind]} · since {formatDate(m.since)}
                  {m.until && ` · until ${formatDate(m.until)}`}
                </span>
              </span>
              {canEdit && (
                <button
                  disabled={pending}
                  className="rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100"
                  onClick={() =>
                    call(`/api/v1/jit/policies/${policyId}/eligible/${m.identityId}`, { method: "DELETE" }, () => `${who(m)} is no longer eligible.`)
                  }
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <div className="mt-3 grid gap-2 border-t border-slate-100 pt-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
          <IdentityPicker label="Make eligible" onChange={setChosen} />
          <label className="text-xs font-medium text-slate-600">
            Until (optional)
            <input
              type="date"
              value={until}
              onChange={(e) => setUntil(e.target.value)}
              className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <button
            disabled={!chosen || pending}
            className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white disabled:opacity-50"
            onClick={() =>
              call(
                `/api/v1/jit/policies/${policyId}/eligible`,
                { body: { identityIds: [chosen], ...(until ? { expiresAt: new Date(until).toISOString() } : {}) } },
                (r: { added: number }) => (r.added ? "Eligible now." : "Already eligible."),
              )
            }
          >
            Add
          </button>
        </div>
      )}
      {note}
    </div>
  );
}

/**
 * Standing grants of the policy's entitlement, and the one action that turns
 * them into eligibility: each grant ends through the revocation path and its
 * holder may request the access just in time under this policy.
 */
export function StandingGrants({ policyId, grants, canEdit }: { policyId: string; grants: Member[]; canEdit: boolean }) {
  const { call, pending, note } = useCall();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  if (grants.length === 0) return <p className="text-sm text-slate-600">Nobody holds this access as standing privilege.</p>;
  const toggle = (id: string) => setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const all = selected.size === grants.length;
  return (
    <div>
      <ul className="max-h-80 divide-y divide-slate-100 overflow-auto text-sm" data-testid="standing-grants">
        {grants.map((g) => (
          <li key={g.grantId} className="flex items-center gap-2 py-1.5">
            {canEdit && <input type="checkbox" aria-label={`Select ${who(g)}`} checked={selected.has(g.grantId)} onChange={() => toggle(g.grantId)} />}
            <Link className="font-medium text-brand-700 hover:underline" href={`/identities/${g.identityId}`}>
              {who(g)}
            </Link>
            <span className="text-xs text-slate-500">
              {kindLabels[g.kind]} · standing since {formatDate(g.since)}
            </span>
          </li>
        ))}
      </ul>
      {canEdit && (
        <div className="mt-3 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3">
          <button
            className="rounded-md border border-slate-300 px-2 py-1 text-xs"
            onClick={() => setSelected(all ? new Set() : new Set(grants.map((g) => g.grantId)))}
          >
            {all ? "Select none" : "Select all"}
          </button>
          <button
            disabled={selected.size === 0 || pending}
            className="rounded-md bg-rose-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
            onClick={() =>
              call("/api/v1/jit/convert", { body: { grantIds: [...selected], policyId } }, (r: { converted: number }) => {
                setSelected(new Set());
                return `Removed standing privilege from ${r.converted}; they may now request it just in time.`;
              })
            }
          >
            Remove standing privilege ({selected.size})
          </button>
        </div>
      )}
      {note}
    </div>
  );
}

/** Retire the policy: named eligibility ends, pending requests are cancelled, open windows run out. */
export function RetirePolicy({ policyId }: { policyId: string }) {
  const { call, pending, note } = useCall();
  const [sure, setSure] = useState(false);
  return (
    <div>
      {!sure ? (
        <button className="rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm text-rose-700 hover:bg-rose-50" onClick={() => setSure(true)}>
          Retire policy…
        </button>
      ) : (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span>Named eligibility ends and pending requests are cancelled.</span>
          <button
            disabled={pending}
            className="rounded-md bg-rose-700 px-3 py-1.5 font-medium text-white"
            onClick={() => call(`/api/v1/jit/policies/${policyId}`, { method: "DELETE" }, () => "Policy retired.")}
          >
            Retire
          </button>
          <button className="rounded-md border border-slate-300 px-3 py-1.5" onClick={() => setSure(false)}>
            Keep
          </button>
        </div>
      )}
      {note}
    </div>
  );
}
