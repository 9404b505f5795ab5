import { Fragment, type SelectHTMLAttributes } from "react";

/** A choice; consecutive choices of one `group` are listed under its heading. */
export type Choice = { value: string; label: string; group?: string };

/** The product's field look for a select, as for inputs; compact inside table rows. */
const looks = {
  field: "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm",
  compact: "rounded-md border border-slate-300 bg-white px-1 py-1 text-xs",
};

type Props = Omit<SelectHTMLAttributes<HTMLSelectElement>, "children"> & {
  choices: Choice[];
  /** A first choice with the value "" (for "any", "none" or "choose…"), when given. */
  placeholder?: string;
  /** The smaller look, for a select inside a table row. */
  compact?: boolean;
};

/** People as choices, by display name. */
export const peopleChoices = (people: { id: string; displayName: string }[]): Choice[] => people.map((p) => ({ value: p.id, label: p.displayName }));

/**
 * The one select: choices with optional group headings, an optional empty
 * first choice, the product's field look (widened or narrowed by
 * `className`). Everything else (name, value or defaultValue, onChange,
 * multiple, aria-label) is the native select's, so it works in forms posted
 * without JavaScript as in controlled components.
 */
export function Select({ choices, placeholder, compact = false, className = "", ...rest }: Props) {
  const runs: { group?: string; choices: Choice[] }[] = [];
  for (const c of choices) {
    const last = runs.at(-1);
    if (last && last.group === c.group) last.choices.push(c);
    else runs.push({ group: c.group, choices: [c] });
  }
  const options = (list: Choice[]) =>
    list.map((c) => (
      <option key={c.value} value={c.value}>
        {c.label}
      </option>
    ));
  return (
    <select className={`${compact ? looks.compact : looks.field} ${className}`} {...rest}>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {runs.map((r, i) =>
        r.group ? (
          <optgroup key={`${r.group}-${i}`} label={r.group}>
            {options(r.choices)}
          </optgroup>
        ) : (
          <Fragment key={`-${i}`}>{options(r.choices)}</Fragment>
        ),
      )}
    </select>
  );
}
