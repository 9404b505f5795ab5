"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { apiResult } from "@/lib/http/client";
import { FieldMessages } from "@/components/ui/field-errors";
import { Select, peopleChoices } from "@/components/ui/select";
import { Button } from "@/components/ui/button";

type Person = { id: string; displayName: string };
type Field = "purpose" | "ownerId" | "backupOwnerId" | "nextAttestationAt" | "title" | "managerId";

const labels: Record<Field, string> = {
  purpose: "Purpose",
  ownerId: "Owner",
  backupOwnerId: "Backup owner",
  nextAttestationAt: "Next attestation",
  title: "Title",
  managerId: "Manager",
};

/** Edits the governance fields the caller may change; the server re-checks every one. */
export function IdentityEditForm({
  identityId,
  fields,
  values,
  people,
}: {
  identityId: string;
  fields: Field[];
  values: Partial<Record<Field, string>>;
  people: Person[];
}) {
  const router = useRouter();
  const [form, setForm] = useState(values);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [pending, start] = useTransition();

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const changed = Object.fromEntries(fields.filter((f) => (form[f] ?? "") !== (values[f] ?? "")).map((f) => [f, form[f] ?? ""]));
    if (Object.keys(changed).length === 0) {
      setMessage({ tone: "ok", text: "Nothing to save." });
      return;
    }
    if ("nextAttestationAt" in changed && changed.nextAttestationAt === "") changed.nextAttestationAt = null as unknown as string;
    start(async () => {
      const result = await apiResult(`/api/v1/identities/${identityId}`, { method: "PATCH", body: changed });
      if (result.ok) {
        setErrors({});
        setMessage({ tone: "ok", text: "Saved. The change is in the audit log." });
        router.refresh();
      } else {
        setErrors(result.fieldErrors ?? {});
        setMessage({ tone: "error", text: result.message });
      }
    });
  }

  const input = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Edit identity">
      {fields.map((f) => (
        <div key={f}>
          <label htmlFor={`field-${f}`} className="block text-xs font-medium text-slate-600">
            {labels[f]}
          </label>
          {f === "purpose" ? (
            <textarea id={`field-${f}`} className={input} rows={3} value={form[f] ?? ""} onChange={(e) => setForm({ ...form, [f]: e.target.value })} />
          ) : f === "nextAttestationAt" ? (
            <input id={`field-${f}`} type="date" className={input} value={form[f] ?? ""} onChange={(e) => setForm({ ...form, [f]: e.target.value })} />
          ) : f === "title" ? (
            <input id={`field-${f}`} className={input} value={form[f] ?? ""} onChange={(e) => setForm({ ...form, [f]: e.target.value })} />
          ) : (
            <Select
              id={`field-${f}`}
              className="mt-1 w-full"
              value={form[f] ?? ""}
              onChange={(e) => setForm({ ...form, [f]: e.target.value })}
              placeholder="— none —"
              choices={peopleChoices(people)}
            />
          )}
          <FieldMessages messages={errors[f]} />
        </div>
      ))}
      {message && (
        <p role="status" className={`text-sm ${message.tone === "ok" ? "text-emerald-700" : "text-rose-700"}`}>
          {message.text}
        </p>
      )}
      <Button type="submit" variant="primary" pending={pending} pendingLabel="Saving…">
        Save changes
      </Button>
    </form>
  );
}
