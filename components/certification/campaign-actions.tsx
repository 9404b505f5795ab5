"use client";

import { Outcome } from "@/components/ui/outcome";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { api, errorText } from "@/lib/http/client";

type Props = { campaignId: string; status: string; canAdminister: boolean; canSignOff: boolean; canExport: boolean };
type Panel = null | "close" | "cancel" | "signOff";

/**
 * The campaign's lifecycle buttons: edit or launch a draft, clone any campaign
 * into a new draft, close early, cancel, sign off once closed, export the evidence. Closing and cancelling ask for a reason
 * in place before anything happens.
 */
export function CampaignActions({ campaignId, status, canAdminister, canSignOff, canExport }: Props) {
  const router = useRouter();
  const [panel, setPanel] = useState<Panel>(null);
  const [text, setText] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();

  function run<R>(path: string, body: unknown, done: (result: R) => string) {
    start(async () => {
      try {
        const result = await api<R>(`/api/v1/campaigns/${campaignId}/${path}`, { body });
        setMessage({ ok: true, text: done(result) });
        setPanel(null);
        setText("");
        router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  }

  // A copy of its settings as a new draft, opened at once to be adjusted.
  function clone() {
    start(async () => {
      try {
        const copy = await api<{ id: string }>(`/api/v1/campaigns/${campaignId}/clone`, { body: {} });
        router.push(`/certifications/${copy.id}/edit`);
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  }

  const open = (p: Panel) => {
    setMessage(null);
    setText("");
    setPanel(panel === p ? null : p);
  };
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap justify-end gap-2">
        {canExport && status !== "draft" && (
          <>
            <a className={buttonClass("secondary")} href={`/api/v1/campaigns/${campaignId}/export?format=csv`}>
              Export CSV
            </a>
            <a className={buttonClass("secondary")} href={`/api/v1/campaigns/${campaignId}/export?format=json`}>
              Export JSON
            </a>
          </>
        )}
        {canAdminister && status === "draft" && (
          <Button
            variant="primary"
            pending={pending}
            pendingLabel="Launching…"
            onClick={() => run("launch", {}, (r: { items: number }) => `Launched: ${r.items.toLocaleString("en")} review items.`)}
          >
            Launch campaign
          </Button>
        )}
        {canAdminister && status === "draft" && (
          <Link className={buttonClass("secondary")} href={`/certifications/${campaignId}/edit`}>
            Edit draft
          </Link>
        )}
        {canAdminister && (
          <Button pending={pending} onClick={clone}>
            Clone
          </Button>
        )}
        {canAdminister && status === "active" && <Button onClick={() => open("close")}>Close now…</Button>}
        {canAdminister && (status === "draft" || status === "active") && (
          <Button variant="danger-outline" onClick={() => open("cancel")}>
            Cancel campaign…
          </Button>
        )}
        {canSignOff && (
          <Button variant="confirm" onClick={() => open("signOff")}>
            Sign off…
          </Button>
        )}
      </div>
      {panel && (
        <form
          aria-label={panel === "close" ? "Close campaign" : panel === "cancel" ? "Cancel campaign" : "Sign off campaign"}
          className="flex w-full max-w-xl flex-col gap-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm"
          onSubmit={(e) => {
            e.preventDefault();
            if (panel === "close")
              run(
                "close",
                { reason: text || undefined },
                (r: { undecided: number; rule: string; revokedAtClose: number }) =>
                  `Closed: ${r.undecided} undecided items settled (${r.rule}); ${r.revokedAtClose} grants revoked.`,
              );
            if (panel === "cancel")
              run("cancel", { reason: text }, (r: { openItemsClosed: number }) => `Cancelled; ${r.openItemsClosed} open items closed untouched.`);
            if (panel === "signOff") run("sign-off", { comment: text || undefined }, () => "Signed off.");
          }}
        >
          <p className="text-sm text-slate-700">
            {panel === "close" && "Closing settles every undecided item by the campaign's rule and carries out the revocations now."}
            {panel === "cancel" && "Cancelling closes open items untouched; nothing more is revoked. A recurring series ends here."}
            {panel === "signOff" && "Signing off records that you reviewed the outcome of this campaign."}
          </p>
          <label className="text-xs font-medium text-slate-600">
            {panel === "cancel" ? "Reason (required)" : panel === "close" ? "Reason (optional)" : "Comment (optional)"}
            <input value={text} onChange={(e) => setText(e.target.value)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          </label>
          <div className="flex gap-2">
            <Button type="submit" variant={panel === "cancel" ? "danger" : panel === "signOff" ? "confirm" : "primary"} pending={pending}>
              {panel === "close" ? "Close campaign" : panel === "cancel" ? "Cancel campaign" : "Sign off"}
            </Button>
            <Button onClick={() => setPanel(null)}>Back</Button>
          </div>
        </form>
      )}
      <Outcome message={message} className="text-sm" />
    </div>
  );
}
