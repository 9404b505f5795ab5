"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { api, type ApiError, formText } from "@/lib/http/client";
import { FieldMessages } from "@/components/ui/field-errors";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";

type Option = { id: string; name: string };
type EntitlementOption = Option & { privilegeLevel: string; systemName: string };
export type PolicyValues = {
  id?: string;
  name: string;
  description: string | null;
  entitlementId: string;
  teamIds: string[];
  maxDurationMinutes: number;
  defaultDurationMinutes: number;
  approvalsRequired: number;
  approverMode: string;
  approverIds: string[];
  denyEndsRequest: boolean;
  requireJustification: boolean;
  requireTicket: boolean;
  autoApproveAll: boolean;
  autoApproveTeamIds: string[];
  pendingTimeoutMinutes: number;
  breakGlass: boolean;
  breakGlassMaxMinutes: number;
  activation: string;
  sourceAddresses: string[];
};

const fresh: PolicyValues = {
  name: "",
  description: null,
  entitlementId: "",
  teamIds: [],
  maxDurationMinutes: 240,
  defaultDurationMinutes: 60,
  approvalsRequired: 1,
  approverMode: "approvers",
  approverIds: [],
  denyEndsRequest: true,
  requireJustification: true,
  requireTicket: false,
  autoApproveAll: false,
  autoApproveTeamIds: [],
  pendingTimeoutMinutes: 60,
  breakGlass: false,
  breakGlassMaxMinutes: 60,
  activation: "membership",
  sourceAddresses: [],
};

/** Create or change an eligibility policy. Every rule is checked again on the server; its messages show under each field. */
export function PolicyForm({ options, policy }: { options: { entitlements: EntitlementOption[]; teams: Option[]; people: Option[] }; policy?: PolicyValues }) {
  const router = useRouter();
  const v = policy ?? fresh;
  const [mode, setMode] = useState(v.approverMode);
  const [breakGlass, setBreakGlass] = useState(v.breakGlass);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const systems = [...new Set(options.entitlements.map((e) => e.systemName))];

  function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const all = (k: string) => f.getAll(k).map(String);
    const num = (k: string) => Number(f.get(k));
    const body: Record<string, unknown> = {
      name: f.get("name"),
      description: formText(f, "description").trim() || undefined,
      teamIds: all("teamIds"),
      maxDurationMinutes: num("maxDurationMinutes"),
      defaultDurationMinutes: num("defaultDurationMinutes"),
      approvalsRequired: num("approvalsRequired"),
      approverMode: mode,
      approverIds: mode === "named" ? all("approverIds") : [],
      denyEndsRequest: f.get("denyEndsRequest") === "on",
      requireJustification: f.get("requireJustification") === "on",
      requireTicket: f.get("requireTicket") === "on",
      autoApproveAll: f.get("autoApproveAll") === "on",
      autoApproveTeamIds: all("autoApproveTeamIds"),
      pendingTimeoutMinutes: num("pendingTimeoutMinutes"),
      breakGlass,
      // A disabled field is not submitted: the policy keeps its stored value.
      breakGlassMaxMinutes: f.get("breakGlassMaxMinutes") ? num("breakGlassMaxMinutes") : undefined,
      activation: f.get("activation"),
      sourceAddresses: formText(f, "sourceAddresses")
        .split(/[\s,]+/)
        .filter(Boolean),
    };
    if (!policy) {
      body.entitlementId = f.get("entitlementId");
      body.identityIds = [];
    }
    start(async () => {
      try {
        const saved = await api<{ id: string }>(policy ? `/api/v1/jit/policies/${policy.id}` : "/api/v1/jit/policies", {
          method: policy ? "PATCH" : "POST",
          body,
        });
        setErrors({});
        if (policy) {
          setMessage({ ok: true, text: "Saved. Requests already made keep the terms they were made under." });
          router.refresh();
        } else router.push(`/access-requests/policies/${saved.id}`);
      } catch (err) {
        const apiError = err as ApiError;
        setErrors(apiError.fieldErrors ?? {});
        setMessage({ ok: false, text: apiError.message });
      }
    });
  }

  const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  const label = "block text-xs font-medium text-slate-600";
  const err = (k: string) => <FieldMessages messages={errors[k]} />;
  const choose = (name: keyof PolicyValues, text: string, choices: Option[], size: number) => (
    <>
      <label className={label}>
        {text}
        <Select
          name={name}
          multiple
          size={size}
          defaultValue={v[name] as string[]}
          className="mt-1 w-full"
          choices={choices.map((c) => ({ value: c.id, label: c.name }))}
        />
      </label>
      {err(name)}
    </>
  );
  const minutes = (name: keyof PolicyValues, text: string, min: number, max: number, disabled = false) => (
    <div>
      <label className={label}>
        {text}
        <input name={name} type="number" min={min} max={max} defaultValue={v[name] as number} disabled={disabled} className={`${field} disabled:opacity-40`} />
      </label>
      {err(name)}
    </div>
  );
  const check = (name: keyof PolicyValues, text: React.ReactNode, extra?: { onChange?: (on: boolean) => void; checked?: boolean }) => (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        name={name}
        {...(extra?.checked !== undefined ? { checked: extra.checked } : { defaultChecked: Boolean(v[name]) })}
        onChange={(e) => extra?.onChange?.(e.target.checked)}
      />
      <span>{text}</span>
    </label>
  );
  return (
    <form noValidate onSubmit={submit} aria-label={policy ? "Edit policy" : "New policy"} className="grid gap-6 lg:grid-cols-2">
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h3 className="text-sm font-semibold">What, and who may ask</h3>
        <label className={label}>
          Name
          <input name="name" defaultValue={v.name} className={field} />
        </label>
        {err("name")}
        <label className={label}>
          Description
          <textarea name="description" rows={2} defaultValue={v.description ?? ""} className={field} />
        </label>
        {!policy && (
          <>
            <label className={label}>
              Entitlement
              <Select
                name="entitlementId"
                aria-label="Entitlement"
                defaultValue=""
                className="mt-1 w-full"
                placeholder="Choose…"
                choices={systems.flatMap((s) =>
                  options.entitlements.filter((e) => e.systemName === s).map((e) => ({ value: e.id, label: `${e.name} (${e.privilegeLevel})`, group: s })),
                )}
              />
            </label>
            {err("entitlementId")}
          </>
        )}
        {choose("teamIds", "Eligible teams (every member may ask; add named people and NHIs on the policy page)", options.teams, 5)}
        <div className="grid grid-cols-2 gap-3">
          {minutes("maxDurationMinutes", "Maximum duration (minutes)", 15, 20160)}
          {minutes("defaultDurationMinutes", "Default duration (minutes)", 15, 20160)}
        </div>
        <p className="text-xs text-slate-500">From 15 minutes up to 14 days (20,160 minutes).</p>
        <fieldset className="space-y-1 text-sm">
          <legend className={label}>When approved</legend>
          {[
            ["membership", "Make the requester's own account a member of the role"],
            ["credential", "Issue a short-lived account of its own, which the target refuses after the window (PostgreSQL, SSH or directory connector)"],
            ["both", "Both"],
          ].map(([value, text]) => (
            <label key={value} className="flex items-start gap-2">
              <input type="radio" name="activation" value={value} defaultChecked={v.activation === value} className="mt-1" /> {text}
            </label>
          ))}
        </fieldset>
        {err("activation")}
        <label className={label}>
          SSH certificates work only from (addresses or networks, comma-separated; empty: anywhere)
          <input
            name="sourceAddresses"
            defaultValue={v.sourceAddresses.join(", ")}
            placeholder="10.20.0.0/16, 192.0.2.7"
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          />
        </label>
        {/* A list's errors come per item (sourceAddresses.0, …): one message under the field. */}
        <FieldMessages
          messages={[...new Set(Object.entries(errors).flatMap(([k, m]) => (k === "sourceAddresses" || k.startsWith("sourceAddresses.") ? m : [])))]}
        />
        {check("requireJustification", "A justification is required")}
        {check("requireTicket", "A ticket reference is required")}
      </section>
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h3 className="text-sm font-semibold">Approval</h3>
        <fieldset className="space-y-1 text-sm">
          <legend className={label}>Approved by</legend>
          {[
            ["approvers", "Anyone in the approver group"],
            ["entitlement_owner", "The entitlement's owner"],
            ["named", "Named people"],
          ].map(([value, text]) => (
            <label key={value} className="flex items-center gap-2">
              <input type="radio" name="approverMode" value={value} checked={mode === value} onChange={() => setMode(value)} /> {text}
            </label>
          ))}
        </fieldset>
        {mode === "named" ? choose("approverIds", "Approvers", options.people, 5) : err("approverIds")}
        <div className="grid grid-cols-2 gap-3">
          {minutes("approvalsRequired", "Approvals required", 1, 5)}
          {minutes("pendingTimeoutMinutes", "Pending requests expire after (minutes)", 5, 10080)}
        </div>
        {check("denyEndsRequest", "One deny ends the request")}
        <p className="text-xs text-slate-500">
          Nobody approves their own request, nor one for an NHI they own; if that leaves too few approvers, the approver group and then the admins fill in.
        </p>
        <h3 className="pt-2 text-sm font-semibold">Auto-approval</h3>
        {check("autoApproveAll", "Approve every request automatically (low-risk access only; never for admin-level)")}
        {err("autoApproveAll")}
        {choose("autoApproveTeamIds", "Approve these teams automatically (an on-call rotation)", options.teams, 4)}
        <h3 className="pt-2 text-sm font-semibold">Break-glass</h3>
        {check("breakGlass", "Allow break-glass: activate at once in an emergency, with a reason, reviewed afterwards", {
          checked: breakGlass,
          onChange: setBreakGlass,
        })}
        {minutes("breakGlassMaxMinutes", "Break-glass lasts at most (minutes)", 15, 240, !breakGlass)}
      </section>
      <div className="flex items-center justify-end gap-3 lg:col-span-2">
        {message && (
          <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
            {message.text}
          </p>
        )}
        <Button type="submit" variant="primary" pending={pending} pendingLabel="Saving…">
          {policy ? "Save changes" : "Create policy"}
        </Button>
      </div>
    </form>
  );
}
