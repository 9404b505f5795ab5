"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Fragment, useState, useTransition } from "react";
import { apiResult } from "@/lib/http/client";
import type { OrphanRow } from "@/lib/attestation/orphans";
import { Badge } from "@/components/ui/badge";
import { kindLabels, relative } from "@/components/ui/format";
import { useNotice } from "./notice";
import { PersonSelect, type Person } from "@/components/ui/person-select";
import { Table, THead, Th, TBody } from "@/components/ui/table";

function ReassignForm({ row, people, onDone, onCancel }: { row: OrphanRow; people: Person[]; onDone: (notice: string) => void; onCancel: () => void }) {
  const activeIds = new Set(people.map((p) => p.id));
  const [ownerId, setOwnerId] = useState("");
  const [backupOwnerId, setBackupOwnerId] = useState(row.backupOwnerId && activeIds.has(row.backupOwnerId) ? row.backupOwnerId : "");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const id = (field: string) => `reassign-${row.id}-${field}`;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    start(async () => {
      const result = await apiResult(`/api/v1/orphans/${row.id}/reassign`, { body: { ownerId, backupOwnerId } });
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        setMessage(result.message);
        return;
      }
      const name = people.find((p) => p.id === ownerId)?.displayName ?? "the new owner";
      onDone(`${row.name} now belongs to ${name}, whose attestation of it is due now.`);
    });
  }

  return (
    <form onSubmit={submit} aria-label={`Reassign ${row.name}`} className="grid gap-4 rounded-md bg-slate-50 p-4 md:grid-cols-2">
      <PersonSelect
        id={id("owner")}
        label="New owner"
        value={ownerId}
        onChange={setOwnerId}
        people={people}
        emptyLabel="Choose an owner…"
        errors={errors.ownerId}
      />
      <PersonSelect
        id={id("backup")}
        label="Backup owner"
        value={backupOwnerId}
        onChange={setBackupOwnerId}
        people={people}
        emptyLabel="— none —"
        errors={errors.backupOwnerId}
      />
      {message && (
        <p role="alert" className="text-sm text-rose-700 md:col-span-2">
          {message}
        </p>
      )}
      <div className="flex gap-2 md:col-span-2">
        <button disabled={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-50">
          {pending ? "Saving…" : "Reassign owner"}
        </button>
        <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm">
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Orphaned NHIs, privileged ones first; admins reassign them in place. */
export function OrphanTable({ rows, people }: { rows: OrphanRow[]; people: Person[] }) {
  const router = useRouter();
  const [openId, setOpenId] = useState<string | null>(null);
  const setNotice = useNotice();

  function done(text: string) {
    setOpenId(null);
    setNotice(text);
    router.refresh();
  }

  return (
    <>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <Table data-testid="orphans">
          <THead>
            <Th>Identity</Th>
            <Th>Former owner</Th>
            <Th>Backup owner</Th>
            <Th align="right">Grants (privileged)</Th>
            <Th>Last used</Th>
            <Th>
              <span className="sr-only">Action</span>
            </Th>
          </THead>
          <TBody top>
            {rows.map((r) => (
              <Fragment key={r.id}>
                <tr className={openId === r.id ? "bg-slate-50" : "hover:bg-slate-50"} data-identity-id={r.id}>
                  <td className="px-3 py-2">
                    <Link href={`/identities/${r.id}`} className="font-medium text-brand-700 hover:underline">
                      {r.name}
                    </Link>
                    <div className="text-xs text-slate-500">
                      {kindLabels[r.kind]}
                      {r.systemName && ` on ${r.systemName}`}
                    </div>
                  </td>
                  <td className="px-3 py-2">
                    {r.rehomedAt && r.formerOwnerStatus === "active" ? (
                      <>
                        {r.formerOwnerName} <Badge tone="amber">re-homed from {r.rehomedFromName ?? "a leaver"}, awaiting attestation</Badge>
                      </>
                    ) : r.formerOwnerName ? (
                      <>
                        {r.formerOwnerName} <Badge tone="red">{r.formerOwnerStatus}</Badge>
                      </>
                    ) : (
                      <Badge tone="red">no owner</Badge>
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {r.backupOwnerName ? (
                      <>
                        {r.backupOwnerName} {r.backupOwnerStatus !== "active" && <Badge tone="amber">{r.backupOwnerStatus}</Badge>}
                      </>
                    ) : (
                      <span className="text-slate-500">—</span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    {r.activeGrants}
                    {r.privilegedGrants > 0 && (
                      <>
                        {" "}
                        <Badge tone="purple">{r.privilegedGrants}</Badge>
                      </>
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-600">{relative(r.lastUsedAt)}</td>
                  <td className="px-3 py-2 text-right">
                    {r.canReassign && (
                      <button
                        type="button"
                        aria-expanded={openId === r.id}
                        aria-label={`Reassign ${r.name}`}
                        onClick={() => setOpenId(openId === r.id ? null : r.id)}
                        className="rounded-md border border-brand-600 px-3 py-1 text-sm font-medium text-brand-700 hover:bg-brand-50"
                      >
                        Reassign
                      </button>
                    )}
                  </td>
                </tr>
                {openId === r.id && (
                  <tr>
                    <td colSpan={6} className="px-3 pb-3">
                      <ReassignForm row={r} people={people} onDone={done} onCancel={() => setOpenId(null)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </TBody>
        </Table>
      </div>
    </>
  );
}
