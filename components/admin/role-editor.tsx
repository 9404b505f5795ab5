"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { apiResult } from "@/lib/http/client";
import { Select, peopleChoices } from "@/components/ui/select";
import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { Button } from "@/components/ui/button";

type Person = { id: string; displayName: string; roles: string[] };

export function RoleEditor({ people, allRoles }: { people: Person[]; allRoles: readonly string[] }) {
  const [personId, setPersonId] = useState("");
  const person = people.find((p) => p.id === personId);
  const [selected, setSelected] = useState<string[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();

  function choose(id: string) {
    setPersonId(id);
    setSelected(people.find((p) => p.id === id)?.roles ?? []);
    setMessage(null);
  }

  function save(e: React.FormEvent) {
    e.preventDefault();
    if (!person) return setMessage({ ok: false, text: "Choose a person first." });
    start(async () => {
      const result = await apiResult(`/api/v1/admin/roles/${person.id}`, { method: "PUT", body: { roles: selected } });
      if (result.ok) router.refresh();
      setMessage(
        result.ok
          ? { ok: true, text: `Roles for ${person.displayName} saved.` }
          : { ok: false, text: result.message + (result.fieldErrors ? ` ${Object.values(result.fieldErrors).flat().join(" ")}` : "") },
      );
    });
  }

  return (
    <form onSubmit={save} className="space-y-3" aria-label="Change roles">
      <label className="block text-xs font-medium text-slate-600">
        Person
        <Select
          className="mt-1 w-full"
          value={personId}
          onChange={(e) => choose(e.target.value)}
          placeholder="Choose a person…"
          choices={peopleChoices(people)}
        />
      </label>
      <CheckboxGroup
        legend="Roles"
        disabled={!person}
        choices={allRoles.map((r) => ({ value: r, label: r }))}
        value={selected}
        onChange={(v) => setSelected(v)}
      />
      {message && (
        <p role="status" className={`text-sm ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {message.text}
        </p>
      )}
      <Button type="submit" variant="primary" pending={pending} pendingLabel="Saving…" disabled={!person}>
        Save roles
      </Button>
    </form>
  );
}
