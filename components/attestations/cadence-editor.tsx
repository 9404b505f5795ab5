"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { apiResult } from "@/lib/http/client";
import { Button } from "@/components/ui/button";
import { FieldMessages } from "@/components/ui/field-errors";
import { Outcome } from "@/components/ui/outcome";
import { Table, TBody, THead, Th } from "@/components/ui/table";

type Policy = { kind: string; intervalDays: number; reminderDays: number[]; custom: boolean; nhis: number };

const kindLabel = (kind: string) => kind.replace("_", " ");

/** "14, 3, 0" ⇄ [14, 3, 0]; what is not a number is sent as written, for the server to name. */
const parseDays = (text: string): unknown[] =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => (/^-?\d+$/.test(t) ? Number(t) : t));

/** One kind of NHI's attestation cadence, saved on its own (a shorter interval brings due dates forward at once). */
function CadenceRow({ policy, canEdit }: { policy: Policy; canEdit: boolean }) {
  const router = useRouter();
  const [every, setEvery] = useState(String(policy.intervalDays));
  const [reminders, setReminders] = useState(policy.reminderDays.join(", "));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  // Compared as the server keeps them (whole days, furthest first), so "0 7" is no change from "7, 0".
  const asSaved = (text: string) =>
    parseDays(text)
      .map(String)
      .sort((a, b) => Number(b) - Number(a))
      .join(",");
  const changed = every.trim() !== String(policy.intervalDays) || asSaved(reminders) !== policy.reminderDays.join(",");
  const save = () =>
    start(async () => {
      const body = { intervalDays: /^\d+$/.test(every.trim()) ? Number(every.trim()) : every, reminderDays: parseDays(reminders) };
      const result = await apiResult<{ rescheduled: number; reminderDays: number[] }>(`/api/v1/attestation-policies/${policy.kind}`, { method: "PUT", body });
      setErrors(result.ok ? {} : (result.fieldErrors ?? {}));
      setMessage(
        result.ok
          ? {
              ok: true,
              text: result.data.rescheduled
                ? `Saved. ${result.data.rescheduled.toLocaleString("en")} ${result.data.rescheduled === 1 ? "attestation is" : "attestations are"} now due sooner.`
                : "Saved.",
            }
          : { ok: false, text: result.message },
      );
      if (result.ok) {
        // Shown as saved: furthest reminder first.
        setReminders(result.data.reminderDays.join(", "));
        router.refresh();
      }
    });
  // Enter saves the row, as it would a form.
  const saveOnEnter = (e: React.KeyboardEvent) => {
    if (e.key === "Enter" && changed && !pending) save();
  };
  return (
    <tr data-kind={policy.kind} className="align-top">
      <td className="px-3 py-2">
        <span className="font-medium">{kindLabel(policy.kind)}</span>
        <div className="text-xs text-slate-500">
          {policy.nhis.toLocaleString("en")} live · {policy.custom ? "set here" : "product default"}
        </div>
      </td>
      <td className="px-3 py-2">
        <input
          aria-label={`Attest ${kindLabel(policy.kind)} every (days)`}
          inputMode="numeric"
          disabled={!canEdit}
          onKeyDown={saveOnEnter}
          value={every}
          onChange={(e) => setEvery(e.target.value)}
          className="w-20 rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
        <FieldMessages messages={errors.intervalDays} />
      </td>
      <td className="px-3 py-2">
        <input
          aria-label={`Remind owners of ${kindLabel(policy.kind)} (days before due)`}
          disabled={!canEdit}
          onKeyDown={saveOnEnter}
          value={reminders}
          onChange={(e) => setReminders(e.target.value)}
          className="w-32 rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
        <FieldMessages messages={Object.entries(errors).flatMap(([k, v]) => (k === "reminderDays" || k.startsWith("reminderDays.") ? v : []))} />
      </td>
      {canEdit && (
        <td className="px-3 py-2">
          <Button disabled={!changed} pending={pending} onClick={save}>
            Save
          </Button>
          <Outcome message={message} className="mt-1 text-xs" />
        </td>
      )}
    </tr>
  );
}

/** Every kind of NHI's attestation cadence, as a table of small forms. */
export function CadenceEditor({ policies, canEdit }: { policies: Policy[]; canEdit: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <Table data-testid="attestation-policies">
        <THead>
          <Th>Kind of NHI</Th>
          <Th>Attest every (days)</Th>
          <Th>Remind owners (days before due)</Th>
          {canEdit && <Th>{""}</Th>}
        </THead>
        <TBody>
          {policies.map((p) => (
            <CadenceRow key={p.kind} policy={p} canEdit={canEdit} />
          ))}
        </TBody>
      </Table>
    </div>
  );
}
