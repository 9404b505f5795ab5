"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, type ApiError, formText } from "@/lib/http/client";
import type { ConnectorKind } from "@/db/schema";
import { connectorDescriptors, connectorKindOrder, type ConnectorDescriptor } from "@/lib/connectors/kinds";
import { accessEventTypes } from "@/lib/connectors/types";
import { FieldMessages } from "@/components/ui/field-errors";
import { Select } from "@/components/ui/select";
import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { Button } from "@/components/ui/button";

/** Adds a connector of any kind, in the words of its descriptor (lib/connectors/kinds.ts). A generated secret is shown once. */
export function ConnectorForm({ systems }: { systems: { id: string; name: string }[] }) {
  const router = useRouter();
  const [kind, setKind] = useState<ConnectorKind>(connectorKindOrder[0]);
  const d: ConnectorDescriptor = connectorDescriptors[kind];
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  const label = "block text-xs font-medium text-slate-600";

  function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => formText(f, k).trim() || undefined;
    const body = {
      name: text("name"),
      kind,
      systemId: text("systemId"),
      url: text("url"),
      urlEnv: d.urlEnv ? text("urlEnv") : undefined,
      eventTypes: f.getAll("eventTypes").map(String),
      maxAttempts: Number(f.get("maxAttempts")),
    };
    start(async () => {
      try {
        const created = await api<{ id: string; signingSecret?: string }>("/api/v1/connectors", { body });
        setErrors({});
        setMessage(null);
        if (created.signingSecret) setSecret(created.signingSecret);
        else router.push(`/admin/connectors/${created.id}`);
        router.refresh();
      } catch (err) {
        const apiError = err as ApiError;
        setErrors(apiError.fieldErrors ?? {});
        setMessage(apiError.message);
      }
    });
  }

  if (secret) {
    return (
      <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
        <p className="font-medium">{d.label} added. Its signing secret, shown this once:</p>
        <code className="mt-1 block break-all rounded bg-white p-2 text-xs" data-testid="signing-secret">
          {secret}
        </code>
        {d.secretNote && <p className="mt-1 text-xs text-slate-600">{d.secretNote}</p>}
        <button className="mt-2 rounded-md border border-slate-300 bg-white px-3 py-1 text-sm" onClick={() => setSecret(null)}>
          Done
        </button>
      </div>
    );
  }
  return (
    <form noValidate onSubmit={submit} aria-label="New connector" className="space-y-3">
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className={label}>Kind</legend>
        {connectorKindOrder.map((k) => (
          <label key={k} className="flex items-center gap-1">
            <input type="radio" name="kind" checked={kind === k} onChange={() => setKind(k)} /> {connectorDescriptors[k].label}
          </label>
        ))}
      </fieldset>
      <FieldMessages messages={errors.kind} />
      <label className={label}>
        Name
        <input name="name" className={field} />
      </label>
      <FieldMessages messages={errors.name} />
      <label className={label}>
        {d.system.label}
        <Select
          name="systemId"
          aria-label="System"
          className="mt-1 w-full"
          defaultValue=""
          placeholder={d.system.none}
          choices={systems.map((s) => ({ value: s.id, label: s.name }))}
        />
      </label>
      <FieldMessages messages={errors.systemId} />
      <label className={label}>
        {d.url.label}
        <input name="url" className={field} placeholder={d.url.placeholder} />
      </label>
      <FieldMessages messages={errors.url} />
      {d.urlEnv && (
        <>
          <label className={label}>
            {d.urlEnv.label}
            <input name="urlEnv" className={field} placeholder={d.urlEnv.placeholder} />
          </label>
          <FieldMessages messages={errors.urlEnv} />
        </>
      )}
      <CheckboxGroup legend="Events (none chosen: all)" name="eventTypes" choices={accessEventTypes.map((t) => ({ value: t, label: t }))} />
      <label className={label}>
        Attempts before a delivery is dead-lettered
        <input name="maxAttempts" type="number" min={1} max={20} defaultValue={6} className={field} />
      </label>
      <FieldMessages messages={errors.maxAttempts} />
      {message && !Object.keys(errors).length && (
        <p role="alert" className="text-sm text-rose-700">
          {message}
        </p>
      )}
      <Button type="submit" variant="primary" pending={pending} pendingLabel="Adding…">
        Add connector
      </Button>
    </form>
  );
}
