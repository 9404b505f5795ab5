"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { apiResult, formText } from "@/lib/http/client";
import { kindLabels } from "@/components/ui/format";
import { FieldMessages } from "@/components/ui/field-errors";
import { Select } from "@/components/ui/select";
import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { Button } from "@/components/ui/button";

type Option = { id: string; name: string };
type EntitlementOption = Option & { systemId: string; privilegeLevel: string };
const levels = ["standard", "privileged", "admin"] as const;
const kinds = Object.keys(kindLabels);

/** A draft's settings, as the API gives them, to edit in the form. */
export type CampaignDraft = {
  id: string;
  name: string;
  description: string | null;
  scope: {
    systemIds: string[];
    entitlementIds: string[];
    ownerIds: string[];
    privilegeLevels: string[];
    identityKinds: string[];
    onlyPrivileged: boolean;
    unusedForDays?: number | null;
  };
  reviewerStrategy: string;
  reviewerIds: string[];
  fallbackReviewerId: string;
  stages: number;
  secondStageReviewerIds: string[];
  startsAt: string | null;
  dueAt: string | null;
  recurrence: string;
  reminderDays: number[];
  undecidedAction: string;
  revokeAt: string;
  unusedWindowDays: number;
};

/**
 * A campaign's settings: scope, reviewers, schedule and what happens at the
 * due date; new, or a draft's (`draft`) to edit. The server validates every field.
 */
export function CampaignForm({
  systems,
  people,
  entitlements,
  draft,
}: {
  systems: Option[];
  people: Option[];
  entitlements: EntitlementOption[];
  draft?: CampaignDraft;
}) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [strategy, setStrategy] = useState(draft?.reviewerStrategy ?? "owner_or_manager");
  const [stages, setStages] = useState(String(draft?.stages ?? 1));
  const [chosenSystems, setChosenSystems] = useState<string[]>(draft?.scope.systemIds ?? []);
  // Entitlements of the chosen systems (of all systems when none is chosen), grouped by system.
  const entitlementGroups = systems
    .filter((s) => chosenSystems.length === 0 || chosenSystems.includes(s.id))
    .map((s) => ({ system: s, entitlements: entitlements.filter((e) => e.systemId === s.id) }))
    .filter((g) => g.entitlements.length > 0);
  const [pending, start] = useTransition();
  // The default dates, taken once: rendering stays pure.
  const [{ today, inTwoWeeks }] = useState(() => ({
    today: draft?.startsAt?.slice(0, 10) ?? new Date().toISOString().slice(0, 10),
    inTwoWeeks: draft?.dueAt?.slice(0, 10) ?? new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10),
  }));

  function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const all = (name: string) => f.getAll(name).map(String);
    const unused = formText(f, "unusedForDays");
    const input = {
      name: f.get("name"),
      description: f.get("description") || undefined,
      scope: {
        systemIds: all("systemIds"),
        entitlementIds: all("entitlementIds"),
        ownerIds: all("ownerIds"),
        privilegeLevels: all("privilegeLevels"),
        identityKinds: all("identityKinds"),
        onlyPrivileged: f.get("onlyPrivileged") === "on",
        unusedForDays: unused ? Number(unused) : undefined,
      },
      reviewerStrategy: f.get("reviewerStrategy"),
      reviewerIds: all("reviewerIds"),
      fallbackReviewerId: f.get("fallbackReviewerId"),
      stages: Number(f.get("stages")),
      secondStageReviewerIds: all("secondStageReviewerIds"),
      startsAt: f.get("startsAt"),
      dueAt: f.get("dueAt"),
      recurrence: f.get("recurrence"),
      reminderDays: formText(f, "reminderDays")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map(Number),
      undecidedAction: f.get("undecidedAction"),
      revokeAt: f.get("revokeAt"),
      unusedWindowDays: Number(f.get("unusedWindowDays")),
    };
    start(async () => {
      const result = await apiResult<{ id: string }>(draft ? `/api/v1/campaigns/${draft.id}` : "/api/v1/campaigns", {
        method: draft ? "PATCH" : "POST",
        body: input,
      });
      if (result.ok) router.push(`/certifications/${result.data.id}`);
      else {
        setErrors(result.fieldErrors ?? {});
        setMessage(result.message);
      }
    });
  }

  const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  // Where a select sits in the form (its look is the Select's own).
  const placed = "mt-1 w-full";
  const label = "block text-xs font-medium text-slate-600";
  const err = (k: string) => <FieldMessages messages={errors[k] ?? Object.entries(errors).find(([key]) => key.startsWith(`${k}.`))?.[1]} />;

  return (
    <form onSubmit={submit} aria-label={draft ? "Edit campaign" : "New campaign"} className="grid gap-6 lg:grid-cols-2">
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-sm font-semibold">What is reviewed</h2>
        <label className={label}>
          Name
          <input name="name" className={field} required defaultValue={draft?.name} />
        </label>
        {err("name")}
        <label className={label}>
          Description
          <textarea name="description" rows={2} className={field} defaultValue={draft?.description ?? undefined} />
        </label>
        <label className={label}>
          Systems (none selected: all)
          <Select
            aria-label="Systems"
            name="systemIds"
            multiple
            size={5}
            className={placed}
            defaultValue={draft?.scope.systemIds}
            onChange={(e) => setChosenSystems([...e.target.selectedOptions].map((o) => o.value))}
            choices={systems.map((s) => ({ value: s.id, label: s.name }))}
          />
        </label>
        <label className={label}>
          Entitlements (none selected: all{chosenSystems.length ? " in the chosen systems" : ""})
          <Select
            aria-label="Entitlements"
            name="entitlementIds"
            multiple
            size={6}
            className={placed}
            defaultValue={draft?.scope.entitlementIds}
            choices={entitlementGroups.flatMap((g) =>
              g.entitlements.map((e) => ({ value: e.id, label: `${e.name} (${e.privilegeLevel})`, group: g.system.name })),
            )}
          />
        </label>
        <label className={label}>
          Owned by (NHIs owned or backed up by these people; none: anyone)
          <PeopleOptions label="Owned by" name="ownerIds" size={4} people={people} className={placed} defaultValue={draft?.scope.ownerIds} />
        </label>
        <CheckboxGroup
          legend="Privilege levels (none: all)"
          name="privilegeLevels"
          defaultValue={draft?.scope.privilegeLevels}
          choices={levels.map((l) => ({ value: l, label: l }))}
        />
        <CheckboxGroup
          legend="Identity kinds (none: all)"
          name="identityKinds"
          defaultValue={draft?.scope.identityKinds}
          choices={kinds.map((k) => ({ value: k, label: kindLabels[k] }))}
        />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="onlyPrivileged" defaultChecked={draft?.scope.onlyPrivileged} /> Only privileged and admin access
        </label>
        <label className={label}>
          Only access unused for at least (days)
          <input name="unusedForDays" type="number" min={1} className={field} defaultValue={draft?.scope.unusedForDays ?? undefined} />
        </label>
        {err("scope")}
      </section>
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-sm font-semibold">Who reviews, and when</h2>
        <label className={label}>
          Reviewers
          <Select
            aria-label="Reviewers"
            name="reviewerStrategy"
            className={placed}
            value={strategy}
            onChange={(e) => setStrategy(e.target.value)}
            choices={[
              { value: "owner_or_manager", label: "Identity owner (NHIs) or manager (people)" },
              { value: "entitlement_owner", label: "Entitlement owner" },
              { value: "named", label: "Named reviewers" },
            ]}
          />
        </label>
        {strategy === "named" && (
          <label className={label}>
            Named reviewers
            <PeopleOptions label="Named reviewers" name="reviewerIds" size={5} people={people} className={placed} defaultValue={draft?.reviewerIds} />
          </label>
        )}
        {err("reviewerIds")}
        <label className={label}>
          Fallback reviewer (self-review, missing reviewer, sole owners)
          <PeopleOptions label="Fallback reviewer" name="fallbackReviewerId" people={people} className={placed} defaultValue={draft?.fallbackReviewerId} />
        </label>
        {err("fallbackReviewerId")}
        <div className="grid grid-cols-2 gap-3">
          <label className={label}>
            Start
            <input name="startsAt" type="date" defaultValue={today} className={field} />
          </label>
          <label className={label}>
            Due
            <input name="dueAt" type="date" defaultValue={inTwoWeeks} className={field} />
          </label>
        </div>
        {err("startsAt")}
        {err("dueAt")}
        <div className="grid grid-cols-2 gap-3">
          <label className={label}>
            Stages
            <Select
              name="stages"
              className={placed}
              value={stages}
              onChange={(e) => setStages(e.target.value)}
              choices={[
                { value: "1", label: "One" },
                { value: "2", label: "Two: a second reviewer confirms" },
              ]}
            />
          </label>
          <label className={label}>
            Recurrence
            <Select
              name="recurrence"
              className={placed}
              defaultValue={draft?.recurrence}
              choices={["none", "weekly", "monthly", "quarterly", "half_yearly", "yearly"].map((r) => ({ value: r, label: r.replace("_", "-") }))}
            />
          </label>
          <label className={label}>
            Reminders (days before due)
            <input name="reminderDays" defaultValue={(draft?.reminderDays ?? [7, 3, 1]).join(", ")} className={field} />
          </label>
          <label className={label}>
            Unused window (days)
            <input name="unusedWindowDays" type="number" defaultValue={draft?.unusedWindowDays ?? 90} className={field} />
          </label>
          <label className={label}>
            Undecided at due date
            <Select
              name="undecidedAction"
              className={placed}
              defaultValue={draft?.undecidedAction}
              choices={[
                { value: "keep", label: "Keep access" },
                { value: "revoke", label: "Revoke access" },
                { value: "recommendation", label: "Follow the recommendation" },
              ]}
            />
          </label>
          <label className={label}>
            Revoke decisions take effect
            <Select
              name="revokeAt"
              className={placed}
              defaultValue={draft?.revokeAt}
              choices={[
                { value: "decision", label: "Immediately" },
                { value: "close", label: "When the campaign closes" },
              ]}
            />
          </label>
        </div>
        {stages === "2" && (
          <label className={label}>
            Second-stage reviewers
            <PeopleOptions
              label="Second-stage reviewers"
              name="secondStageReviewerIds"
              size={4}
              people={people}
              className={placed}
              defaultValue={draft?.secondStageReviewerIds}
            />
          </label>
        )}
        {err("secondStageReviewerIds")}
        {err("reminderDays")}
        {err("unusedWindowDays")}
        {message && (
          <p role="status" className="text-sm text-rose-700">
            {message}
          </p>
        )}
        <Button type="submit" variant="primary" pending={pending} pendingLabel={draft ? "Saving…" : "Creating…"}>
          {draft ? "Save the draft" : "Create draft campaign"}
        </Button>
      </section>
    </form>
  );
}

/** A choice of people: one (with a "Choose…" prompt) or, given a size, several. */
function PeopleOptions({
  label,
  name,
  people,
  className,
  size,
  defaultValue,
}: {
  label: string;
  name: string;
  people: Option[];
  className: string;
  size?: number;
  defaultValue?: string | string[];
}) {
  return (
    <Select
      aria-label={label}
      name={name}
      multiple={!!size}
      size={size}
      className={className}
      defaultValue={defaultValue ?? (size ? undefined : "")}
      placeholder={size ? undefined : "Choose…"}
      choices={people.map((p) => ({ value: p.id, label: p.name }))}
    />
  );
}
