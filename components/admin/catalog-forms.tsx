"use client";

import { useState } from "react";
import { formText } from "@/lib/http/client";
import { Button } from "@/components/ui/button";
import { FieldMessages } from "@/components/ui/field-errors";
import { Outcome } from "@/components/ui/outcome";
import { Select } from "@/components/ui/select";
import { useSubmit } from "./use-submit";

type Person = { id: string; name: string };
const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
const label = "block text-xs font-medium text-slate-600";
const levels = ["standard", "privileged", "admin"];

/** The fields a system and an entitlement share: who owns it, and what it is for. */
function OwnerAndDescription({ people, errors }: { people: Person[]; errors?: string[] }) {
  return (
    <>
      <label className={label}>
        Owner
        <Select name="ownerId" className="mt-1 w-full" placeholder="Nobody yet" defaultValue="" choices={people.map((p) => ({ value: p.id, label: p.name }))} />
      </label>
      <FieldMessages messages={errors} />
      <label className={label}>
        Description
        <textarea name="description" rows={2} className={field} />
      </label>
    </>
  );
}

/** A system no importer covers: its name, kind, environment, owner. */
export function SystemForm({ people, kinds }: { people: Person[]; kinds: readonly string[] }) {
  const { errors, message, pending, submit } = useSubmit();
  return (
    <form
      aria-label="Add a system"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const f = new FormData(form);
        submit(
          "/api/v1/systems",
          "POST",
          {
            name: f.get("name"),
            kind: f.get("kind"),
            environment: f.get("environment") || undefined,
            ownerId: f.get("ownerId") || null,
            description: f.get("description") || null,
          },
          `System ${formText(f, "name")} added.`,
          () => form.reset(),
        );
      }}
    >
      <label className={label}>
        Name
        <input name="name" className={field} required />
      </label>
      <FieldMessages messages={errors.name} />
      <div className="grid grid-cols-2 gap-3">
        <label className={label}>
          Kind
          <Select name="kind" className="mt-1 w-full" choices={kinds.map((k) => ({ value: k, label: k.replace("_", " ") }))} defaultValue="saas" />
        </label>
        <label className={label}>
          Environment
          <input name="environment" className={field} defaultValue="production" />
        </label>
      </div>
      <OwnerAndDescription people={people} errors={errors.ownerId} />
      <Button type="submit" variant="primary" pending={pending}>
        Add system
      </Button>
      <Outcome message={message} />
    </form>
  );
}

/** An entitlement of the chosen system: its name, privilege level and owner. */
export function EntitlementForm({ systemId, people }: { systemId: string; people: Person[] }) {
  const { errors, message, pending, submit } = useSubmit();
  return (
    <form
      aria-label="Add an entitlement"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const f = new FormData(form);
        submit(
          "/api/v1/entitlements",
          "POST",
          {
            systemId,
            name: f.get("name"),
            privilegeLevel: f.get("privilegeLevel"),
            ownerId: f.get("ownerId") || null,
            description: f.get("description") || null,
          },
          `Entitlement ${formText(f, "name")} added.`,
          () => form.reset(),
        );
      }}
    >
      <label className={label}>
        Name
        <input name="name" className={field} required />
      </label>
      <FieldMessages messages={errors.name} />
      <label className={label}>
        Privilege level
        <Select name="privilegeLevel" className="mt-1 w-full" defaultValue="standard" choices={levels.map((l) => ({ value: l, label: l }))} />
      </label>
      <OwnerAndDescription people={people} errors={errors.ownerId} />
      <Button type="submit" variant="primary" pending={pending}>
        Add entitlement
      </Button>
      <Outcome message={message} />
    </form>
  );
}

/** An entitlement's level and owner, changed in place. */
export function EntitlementEditor({
  entitlement,
  people,
}: {
  entitlement: { id: string; name: string; privilegeLevel: string; ownerId: string | null };
  people: Person[];
}) {
  const { message, pending, submit } = useSubmit();
  const [level, setLevel] = useState(entitlement.privilegeLevel);
  const [owner, setOwner] = useState(entitlement.ownerId ?? "");
  const changed = level !== entitlement.privilegeLevel || owner !== (entitlement.ownerId ?? "");
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Select
        aria-label={`Level of ${entitlement.name}`}
        compact
        value={level}
        onChange={(e) => setLevel(e.target.value)}
        choices={levels.map((l) => ({ value: l, label: l }))}
      />
      <Select
        aria-label={`Owner of ${entitlement.name}`}
        compact
        value={owner}
        placeholder="Nobody"
        onChange={(e) => setOwner(e.target.value)}
        choices={people.map((p) => ({ value: p.id, label: p.name }))}
      />
      <Button
        disabled={!changed}
        pending={pending}
        onClick={() => submit(`/api/v1/entitlements/${entitlement.id}`, "PATCH", { privilegeLevel: level, ownerId: owner || null }, "Saved.")}
      >
        Save
      </Button>
      <Outcome message={message} className="text-xs" />
    </div>
  );
}
