/**
 * The product's tables, one markup: a full-width small-text table, a header
 * row in small capitals (shaded in framed lists, plain inside cards), cells
 * padded alike and rows divided. Pages compose these instead of repeating
 * the classes.
 */
type Props<T> = T & { className?: string; children?: React.ReactNode };

const cx = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).join(" ");

export function Table({ className, children, ...rest }: Props<React.TableHTMLAttributes<HTMLTableElement>>) {
  return (
    <table className={cx("min-w-full text-sm", className)} {...rest}>
      {children}
    </table>
  );
}

/** The header row. `plain` inside a card; shaded at the top of a framed list. */
export function THead({ plain, children }: { plain?: boolean; children: React.ReactNode }) {
  return (
    <thead className={cx(!plain && "bg-slate-50", "text-left text-xs uppercase tracking-wide text-slate-500")}>
      <tr>{children}</tr>
    </thead>
  );
}

/** A header cell; `flush` drops the left padding (tables inside cards), `align="right"` for figures. */
export function Th({ align, flush, className, children, ...rest }: Props<React.ThHTMLAttributes<HTMLTableCellElement>> & { align?: "right"; flush?: boolean }) {
  return (
    <th className={cx(flush ? "py-2 pr-3" : "px-3 py-2", align === "right" && "text-right", className)} {...rest}>
      {children}
    </th>
  );
}

export function TBody({ top, children }: { top?: boolean; children: React.ReactNode }) {
  return <tbody className={cx("divide-y divide-slate-100", top && "align-top")}>{children}</tbody>;
}
