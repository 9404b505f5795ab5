import { FieldMessages } from "./field-errors";

export type Person = { id: string; displayName: string };

/** A labelled choice of person from the directory, with its field messages and an optional hint. */
export function PersonSelect({
  id,
  label,
  value,
  onChange,
  people,
  emptyLabel,
  errors,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (id: string) => void;
  people: Person[];
  emptyLabel: string;
  errors?: string[];
  hint?: React.ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-600">
        {label}
      </label>
      <select id={id} className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{emptyLabel}</option>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.displayName}
          </option>
        ))}
      </select>
      {hint}
      <FieldMessages messages={errors} />
    </div>
  );
}
