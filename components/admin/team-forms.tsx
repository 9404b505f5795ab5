"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { formText } from "@/lib/http/client";
import { Button } from "@/components/ui/button";
import { FieldMessages } from "@/components/ui/field-errors";
import { Outcome } from "@/components/ui/outcome";
import { Select, peopleChoices } from "@/components/ui/select";
import { useSubmit } from "./use-submit";

type Person = { id: string; displayName: string };
const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
const label = "block text-xs font-medium text-slate-600";

/** A new team, opened at once so its members can be added. */
export function NewTeamForm() {
  const router = useRouter();
  const { errors, message, pending, submit } = useSubmit();
  return (
    <form
      aria-label="Add a team"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        submit<{ id: string }>("/api/v1/teams", "POST", { name: f.get("name") }, `Team ${formText(f, "name")} added.`, (team) =>
          router.push(`/admin/teams?team=${team.id}`),
        );
      }}
    >
      <label className={label}>
        Name
        <input name="name" className={field} required maxLength={200} />
      </label>
      <FieldMessages messages={errors.name} />
      <Button type="submit" variant="primary" pending={pending}>
        Add team
      </Button>
      <Outcome message={message} />
    </form>
  );
}

/** The chosen team's name, changed in place. */
export function RenameTeamForm({ team }: { team: { id: string; name: string } }) {
  const { errors, message, pending, submit } = useSubmit();
  return (
    <form
      aria-label={`Rename ${team.name}`}
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        submit(`/api/v1/teams/${team.id}`, "PATCH", { name: f.get("name") }, "Renamed.");
      }}
    >
      <label className={`${label} min-w-48 flex-1`}>
        Name
        <input name="name" className={field} defaultValue={team.name} required maxLength={200} key={team.name} />
      </label>
      <Button type="submit" pending={pending}>
        Rename
      </Button>
      <div className="w-full">
        <FieldMessages messages={errors.name} />
        <Outcome message={message} className="text-xs" />
      </div>
    </form>
  );
}

/** Adds one active person who is not yet in the team. */
export function AddMemberForm({ team, candidates }: { team: { id: string; name: string }; candidates: Person[] }) {
  const { errors, message, pending, submit } = useSubmit();
  const [chosen, setChosen] = useState("");
  return (
    <form
      aria-label={`Add to ${team.name}`}
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        const who = candidates.find((p) => p.id === chosen);
        submit(`/api/v1/teams/${team.id}/members`, "POST", { identityIds: [chosen] }, `${who?.displayName ?? "They"} joined ${team.name}.`, () =>
          setChosen(""),
        );
      }}
    >
      <label className={`${label} min-w-48 flex-1`}>
        Add a person
        <Select className="mt-1 w-full" value={chosen} onChange={(e) => setChosen(e.target.value)} placeholder="Choose…" choices={peopleChoices(candidates)} />
      </label>
      <Button type="submit" variant="primary" disabled={!chosen} pending={pending}>
        Add
      </Button>
      <div className="w-full">
        <FieldMessages messages={errors.identityIds} />
        <Outcome message={message} className="text-xs" />
      </div>
    </form>
  );
}

/** Takes one person out; the page says where their primary team goes. */
export function RemoveMemberButton({ team, person }: { team: { id: string; name: string }; person: Person }) {
  const { message, pending, submit } = useSubmit();
  return (
    <div className="flex flex-col items-end">
      <Button
        variant="small"
        aria-label={`Remove ${person.displayName} from ${team.name}`}
        pending={pending}
        onClick={() => submit(`/api/v1/teams/${team.id}/members/${person.id}`, "DELETE", undefined, `${person.displayName} left ${team.name}.`)}
      >
        Remove
      </Button>
      <Outcome message={message} className="text-xs" />
    </div>
  );
}

/** Deletes a team after saying what goes with it; refused while an eligibility policy names it. */
export function DeleteTeamButton({ team, members, nhis }: { team: { id: string; name: string }; members: number; nhis: number }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const { message, pending, submit } = useSubmit();
  if (!confirming)
    return (
      <div>
        <Button variant="danger-outline" onClick={() => setConfirming(true)}>
          Delete team
        </Button>
        <Outcome message={message} className="mt-1 text-xs" />
      </div>
    );
  return (
    <div role="group" aria-label="Confirm deletion" className="space-y-2 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm">
      <p>
        Delete <strong>{team.name}</strong>
        {members > 0 ? ` and its ${members === 1 ? "one membership" : `${members} memberships`}? Whoever had it as primary team moves to their next one.` : "?"}
        {nhis > 0 && ` The ${nhis === 1 ? "NHI it runs is" : `${nhis} NHIs it runs are`} left without a team; their owners and access stay.`}
      </p>
      <div className="flex gap-2">
        <Button
          variant="danger"
          pending={pending}
          onClick={() => {
            // A refusal (a policy still names the team) is said under the button; success opens the list.
            setConfirming(false);
            submit(`/api/v1/teams/${team.id}`, "DELETE", undefined, "", () => router.push(`/admin/teams?deleted=${team.id}`));
          }}
        >
          Delete
        </Button>
        <Button onClick={() => setConfirming(false)}>Keep it</Button>
      </div>
    </div>
  );
}
