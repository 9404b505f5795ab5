"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { MyAttestationRow } from "@/lib/attestation/list";
import { Badge } from "@/components/ui/badge";
import { formatDate, relative } from "@/components/ui/format";
import type { Person } from "@/components/ui/person-select";
import { AttestForm } from "./attest-form";
import { GrantCountCell, NhiCell } from "./cells";
import { useNotice } from "./notice";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { Button } from "@/components/ui/button";
import { ExpandableRow, useOpenRow } from "@/components/ui/expandable-row";

// Says what the viewer is to the NHI, under the owner's name (which names someone else when the viewer only backs it up).
const relationLabel = { owner: "You own it", backup: "You are its backup owner", escalated: "Escalated to you", admin: "You administer it" } as const;

function Due({ row, now }: { row: MyAttestationRow; now: number }) {
  if (!row.nextAttestationAt) return <Badge tone="amber">never scheduled: due now</Badge>;
  const at = new Date(row.nextAttestationAt);
  const days = Math.floor((now - at.getTime()) / 86_400_000);
  if (row.overdue) return <Badge tone={days > 14 ? "red" : "amber"}>{days < 1 ? "due now" : `overdue ${days} ${days === 1 ? "day" : "days"}`}</Badge>;
  return <span title={formatDate(at)}>{relative(at)}</span>;
}

/**
 * The caller's NHIs with what is due; "Attest" opens the form under its row.
 * On a phone the table keeps the identity, its due date and the action; the
 * rest is on the identity's page.
 */
export function MyNhiTable({ rows, people }: { rows: MyAttestationRow[]; people: Person[] }) {
  const router = useRouter();
  const open = useOpenRow<string>();
  // One instant for the whole table, taken once: rendering stays pure.
  const [now] = useState(() => Date.now());
  const setNotice = useNotice();

  function done(text: string) {
    open.close();
    setNotice(text);
    router.refresh();
  }

  return (
    <>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <Table data-testid="my-nhis">
          <THead>
            <Th>Identity</Th>
            <Th>Next attestation</Th>
            <Th className="hidden md:table-cell">Last attested</Th>
            <Th className="hidden md:table-cell">Purpose</Th>
            <Th className="hidden md:table-cell">Owner</Th>
            <Th align="right" className="hidden md:table-cell">
              Grants (privileged)
            </Th>
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
                colSpan={7}
                detail={<AttestForm target={r} people={people} onDone={done} onCancel={open.close} />}
              >
                <NhiCell nhi={r} />
                <td className="whitespace-nowrap px-3 py-2">
                  <Due row={r} now={now} />
                  {r.escalationLevel > 0 && (
                    <div className="mt-1">
                      <Badge tone="red" title={r.escalatedToName ? `Escalated to ${r.escalatedToName}` : "Escalated to the admins"}>
                        {r.escalationLevel === 1 ? `escalated to ${r.escalatedToName ?? "manager"}` : "escalated to admins"}
                      </Badge>
                    </div>
                  )}
                </td>
                <td className="hidden md:table-cell whitespace-nowrap px-3 py-2 text-slate-600">{formatDate(r.lastAttestedAt)}</td>
                <td className="hidden md:table-cell max-w-xs px-3 py-2">
                  {r.purpose ? <span className="line-clamp-2">{r.purpose}</span> : <span className="text-rose-700">No purpose recorded</span>}
                </td>
                <td className="hidden md:table-cell px-3 py-2">
                  {r.orphaned ? <Badge tone="red">Orphaned{r.ownerName ? ` (${r.ownerName}, ${r.ownerStatus})` : ""}</Badge> : r.ownerName}
                  <div className="text-xs text-slate-500">{r.relation ? relationLabel[r.relation] : "View only"}</div>
                </td>
                <GrantCountCell active={r.activeGrants} privileged={r.privilegedGrants} className="hidden md:table-cell" />
                <td className="px-3 py-2 text-right">
                  {r.canAttest && (
                    <Button variant="outline" aria-expanded={open.isOpen(r.id)} aria-label={`Attest ${r.name}`} onClick={() => open.toggle(r.id)}>
                      Attest
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
