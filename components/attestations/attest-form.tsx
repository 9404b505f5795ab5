"use client";

import { useState, useTransition } from "react";
import { apiResult } from "@/lib/http/client";
import { formatDate } from "@/components/ui/format";
import { FieldMessages } from "@/components/ui/field-errors";
import { PersonSelect, type Person } from "@/components/ui/person-select";
import { Button } from "@/components/ui/button";

export type AttestTarget = {
  id: string;
  name: string;
  purpose: string | null;
  ownerId: string | null;
  ownerName: string | null;
  ownerStatus: string | null;
  backupOwnerId: string | null;
  backupOwnerName: string | null;
  backupOwnerStatus: string | null;
  activeGrants: number;
  privilegedGrants: number;
};

const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/**
 * One NHI's attestation: still needed (confirm or correct owner, backup owner
 * and purpose) or not (decommission, after an explicit confirmation). The
 * server re-checks everything; its field messages are shown beside the fields.
 */
export function AttestForm({
  target,
  people,
  onDone,
  onCancel,
}: {
  target: AttestTarget;
  people: Person[];
  onDone: (notice: string) => void;
  onCancel: () => void;
}) {
  const activeIds = new Set(people.map((p) => p.id));
  const [stillNeeded, setStillNeeded] = useState<"yes" | "no" | "">("");
  const [purpose, setPurpose] = useState(target.purpose ?? "");
  const [ownerId, setOwnerId] = useState(target.ownerId && activeIds.has(target.ownerId) ? target.ownerId : "");
  const [backupOwnerId, setBackupOwnerId] = useState(target.backupOwnerId && activeIds.has(target.backupOwnerId) ? target.backupOwnerId : "");
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const id = (field: string) => `attest-${target.id}-${field}`;
  const decommission = stillNeeded === "no";

  function send() {
    const body: Record<string, unknown> = decommission
      ? { stillNeeded: false, purpose, comment }
      : { stillNeeded: stillNeeded === "yes" ? true : undefined, purpose, ownerId, backupOwnerId, comment };
    start(async () => {
      const result = await apiResult<{
        attestation: { status: string };
        identity: { nextAttestationAt: string | null };
        revokedGrants: number;
        credentialsQueued: number;
      }>(`/api/v1/attestations/${target.id}`, { body });
      setConfirming(false);
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        setMessage(result.message);
        return;
      }
      const { attestation, identity, revokedGrants, credentialsQueued } = result.data;
      const d = { status: attestation.status, nextAttestationAt: identity.nextAttestationAt, revokedGrants, credentialsQueued };
      onDone(
        d.status === "decommissioned"
          ? `${target.name} decommissioned: ${d.revokedGrants} ${d.revokedGrants === 1 ? "grant" : "grants"} revoked, ${d.credentialsQueued} ${d.credentialsQueued === 1 ? "credential" : "credentials"} queued for revocation.`
          : `${target.name} attested. Next attestation ${formatDate(d.nextAttestationAt)}.`,
      );
    });
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (decommission && !confirming) {
      setConfirming(true);
      return;
    }
    send();
  }

  const formerOwner = target.ownerId && !activeIds.has(target.ownerId) ? target.ownerName : null;
  const formerBackup = target.backupOwnerId && !activeIds.has(target.backupOwnerId) ? target.backupOwnerName : null;

  return (
    <form onSubmit={submit} aria-label={`Attest ${target.name}`} className="grid gap-4 rounded-md bg-slate-50 p-4 md:grid-cols-2">
      <fieldset className="md:col-span-2">
        <legend className="text-xs font-medium text-slate-600">Is {target.name} still needed?</legend>
        <div className="mt-1 flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input
              type="radio"
              name={id("still-needed")}
              value="yes"
              checked={stillNeeded === "yes"}
              onChange={() => {
                setStillNeeded("yes");
                setConfirming(false);
              }}
            />
            Yes, still needed
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name={id("still-needed")} value="no" checked={stillNeeded === "no"} onChange={() => setStillNeeded("no")} />
            No, decommission it
          </label>
        </div>
        <FieldMessages messages={errors.stillNeeded} />
      </fieldset>

      <div className="md:col-span-2">
        <label htmlFor={id("purpose")} className="block text-xs font-medium text-slate-600">
          Purpose
        </label>
        <textarea id={id("purpose")} rows={2} className={input} value={purpose} onChange={(e) => setPurpose(e.target.value)} />
        <FieldMessages messages={errors.purpose} />
      </div>

      {!decommission && (
        <>
          <PersonSelect
            id={id("owner")}
            label="Owner"
            value={ownerId}
            onChange={setOwnerId}
            people={people}
            emptyLabel="Choose an owner…"
            errors={errors.ownerId}
            hint={
              formerOwner && (
                <p className="mt-1 text-xs text-amber-800">
                  {formerOwner} is no longer active ({target.ownerStatus}); choose who answers for it now.
                </p>
              )
            }
          />
          <PersonSelect
            id={id("backup")}
            label="Backup owner"
            value={backupOwnerId}
            onChange={setBackupOwnerId}
            people={people}
            emptyLabel="— none —"
            errors={errors.backupOwnerId}
            hint={
              formerBackup && (
                <p className="mt-1 text-xs text-amber-800">
                  {formerBackup} is no longer active ({target.backupOwnerStatus}).
                </p>
              )
            }
          />
        </>
      )}

      <div className="md:col-span-2">
        <label htmlFor={id("comment")} className="block text-xs font-medium text-slate-600">
          {decommission ? "Why is it no longer needed? (required, kept as evidence)" : "Comment (optional)"}
        </label>
        <textarea id={id("comment")} rows={2} className={input} value={comment} onChange={(e) => setComment(e.target.value)} />
        <FieldMessages messages={errors.comment} />
      </div>

      {decommission && (
        <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 md:col-span-2">
          Decommissioning ends all of its access now ({target.activeGrants} active {target.activeGrants === 1 ? "grant" : "grants"}, {target.privilegedGrants}{" "}
          privileged), including eligibility for just-in-time access, and asks for its credentials to be revoked. It cannot be attested again.
        </div>
      )}

      {message && (
        <p role="alert" className="text-sm text-rose-700 md:col-span-2">
          {message}
        </p>
      )}

      <div className="flex flex-wrap items-center gap-2 md:col-span-2">
        {confirming ? (
          <>
            <span className="text-sm font-medium text-rose-800">Decommission {target.name}? Its access ends immediately.</span>
            <Button type="submit" variant="danger" pending={pending} pendingLabel="Decommissioning…">
              Yes, decommission
            </Button>
            <Button onClick={() => setConfirming(false)}>Keep it</Button>
          </>
        ) : (
          <>
            <Button type="submit" variant={decommission ? "danger" : "primary"} pending={pending} pendingLabel="Saving…">
              {decommission ? "Decommission…" : "Attest"}
            </Button>
            <Button onClick={onCancel}>Cancel</Button>
          </>
        )}
      </div>
    </form>
  );
}
