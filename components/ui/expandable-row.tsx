"use client";

import { Fragment, useState, type HTMLAttributes, type ReactNode } from "react";

type Props = HTMLAttributes<HTMLTableRowElement> & { open: boolean; colSpan: number; detail: ReactNode };

/**
 * A table row that opens a second row beneath it (a form in place: attest,
 * reassign). `children` are the row's cells; `detail` fills the row beneath,
 * across `colSpan` columns, while `open`; the open row stays shaded.
 */
export function ExpandableRow({ open, colSpan, detail, children, className, ...row }: Props) {
  return (
    <Fragment>
      <tr className={`${open ? "bg-slate-50" : "hover:bg-slate-50"} ${className ?? ""}`.trim()} {...row}>
        {children}
      </tr>
      {open && (
        <tr>
          <td colSpan={colSpan} className="px-3 pb-3">
            {detail}
          </td>
        </tr>
      )}
    </Fragment>
  );
}

/** Which one of a list's rows is open, if any: opening one closes the other. */
export function useOpenRow<K>() {
  const [openKey, setOpenKey] = useState<K | null>(null);
  return {
    isOpen: (key: K) => openKey === key,
    toggle: (key: K) => setOpenKey((k) => (k === key ? null : key)),
    close: () => setOpenKey(null),
  };
}
