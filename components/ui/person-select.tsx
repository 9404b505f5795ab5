import { FieldMessages } from "./field-errors";
import { Select, peopleChoices } from "./select";

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
      <Select
        id={id}
        className="mt-1 w-full"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={emptyLabel}
        choices={peopleChoices(people)}
      />
      {hint}
      <FieldMessages messages={errors} />
    </div>
  );
}
