import { Fragment } from "react";

/** A choice; consecutive choices of one `group` are listed under its heading. */
export type Choice = { value: string; label: string; group?: string };

/**
 * A labelled filter for a list. The first choice (value "") means "any"; a
 * chosen "" is reported as undefined so it drops out of the URL. `className`
 * sizes the select (long choices show in full when it opens).
 */
export function FilterSelect({ label, value, onChange, choices, className = "" }: { label: string; value: string; onChange: (value: string | undefined) => void; choices: Choice[]; className?: string }) {
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
    <label className="flex flex-col text-xs font-medium text-slate-600">
      {label}
      <select aria-label={label} className={`mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm ${className}`} value={value} onChange={(e) => onChange(e.target.value || undefined)}>
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
    </label>
  );
}
