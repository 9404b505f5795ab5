export type Choice = { value: string; label: string };

/**
 * A labelled filter for a list. The first choice (value "") means "any"; a
 * chosen "" is reported as undefined so it drops out of the URL.
 */
export function FilterSelect({ label, value, onChange, choices }: { label: string; value: string; onChange: (value: string | undefined) => void; choices: Choice[] }) {
  return (
    <label className="flex flex-col text-xs font-medium text-slate-600">
      {label}
      <select aria-label={label} className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={value} onChange={(e) => onChange(e.target.value || undefined)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
