"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { apiResult } from "@/lib/http/client";
import type { OrphanRow } from "@/lib/attestation/orphans";
import { Badge } from "@/components/ui/badge";
import { relative } from "@/components/ui/format";
import { GrantCountCell, NhiCell } from "./cells";
import { useNotice } from "./notice";
import { PersonSelect, type Person } from "@/components/ui/person-select";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { Button } from "@/components/ui/button";
import { ExpandableRow, useOpenRow } from "@/components/ui/expandable-row";

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
        <Button type="submit" variant="primary" pending={pending} pendingLabel="Saving…">
          Reassign owner
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

/** Orphaned NHIs, privileged ones first; admins reassign them in place. */
export function OrphanTable({ rows, people }: { rows: OrphanRow[]; people: Person[] }) {
  const router = useRouter();
  const open = useOpenRow<string>();
  const setNotice = useNotice();

  function done(text: string) {
    open.close();
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
              <ExpandableRow
                key={r.id}
                data-identity-id={r.id}
                open={open.isOpen(r.id)}
                colSpan={6}
                detail={<ReassignForm row={r} people={people} onDone={done} onCancel={open.close} />}
              >
                <NhiCell nhi={r} />
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
                <GrantCountCell active={r.activeGrants} privileged={r.privilegedGrants} />
                <td className="whitespace-nowrap px-3 py-2 text-slate-600">{relative(r.lastUsedAt)}</td>
                <td className="px-3 py-2 text-right">
                  {r.canReassign && (
                    <Button variant="outline" aria-expanded={open.isOpen(r.id)} aria-label={`Reassign ${r.name}`} onClick={() => open.toggle(r.id)}>
                      Reassign
                    </Button>
                  )}
                </td>
              </ExpandableRow>
            ))}
          </TBody>
        </Table>
      </div>
    </>
  );
}
