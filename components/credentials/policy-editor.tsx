"use client";

import { Outcome } from "@/components/ui/outcome";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, errorText } from "@/lib/http/client";
import { Table, THead, Th, TBody } from "@/components/ui/table";

type Policy = { type: string; maxAgeDays: number; requireExpiry: boolean };

/** Rotation age and expiry rule per credential type; saved together, applied by the reconciliation pass queued with the change. */
export function CredentialPolicyEditor({ policies, canEdit }: { policies: Policy[]; canEdit: boolean }) {
  const router = useRouter();
  const [rows, setRows] = useState(policies);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const set = (type: string, change: Partial<Policy>) => setRows((all) => all.map((p) => (p.type === type ? { ...p, ...change } : p)));
  function save() {
    start(async () => {
      try {
        await api("/api/v1/credential-policies", { method: "PUT", body: { policies: rows } });
        setMessage({ ok: true, text: "Saved. A reconciliation pass is queued to apply them." });
        router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  }
  return (
    <div>
      <Table data-testid="credential-policies">
        <THead plain>
          <Th flush>Credential type</Th>
          <Th flush>Rotate within (days)</Th>
          <Th flush>Must expire</Th>
        </THead>
        <TBody>
          {rows.map((p) => (
            <tr key={p.type}>
              <td className="py-2 pr-3">{p.type.replace("_", " ")}</td>
              <td className="py-2 pr-3">
                <input
                  aria-label={`Rotate ${p.type} within days`}
                  type="number"
                  min={1}
                  max={3650}
                  disabled={!canEdit}
                  value={p.maxAgeDays}
                  onChange={(e) => set(p.type, { maxAgeDays: Number(e.target.value) })}
                  className="w-24 rounded-md border border-slate-300 px-2 py-1 text-sm"
                />
              </td>
              <td className="py-2 pr-3">
                <input
                  aria-label={`${p.type} must expire`}
                  type="checkbox"
                  disabled={!canEdit}
                  checked={p.requireExpiry}
                  onChange={(e) => set(p.type, { requireExpiry: e.target.checked })}
                />
              </td>
            </tr>
          ))}
        </TBody>
      </Table>
      {canEdit && (
        <button disabled={pending} onClick={save} className="mt-3 rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50">
          Save rotation policy
        </button>
      )}
      <Outcome message={message} />
    </div>
  );
}
