import type { ReactNode } from "react";
import { FieldMessages } from "./field-errors";

export type CheckboxChoice = { value: string; label: ReactNode; hint?: ReactNode };

type Props = {
  legend: string;
  choices: CheckboxChoice[];
  /** Posted with a form under this name, one value per ticked box. */
  name?: string;
  /** Controlled: the ticked values, and what to do when they change. */
  value?: string[];
  onChange?: (values: string[]) => void;
  /** Uncontrolled: the values ticked at first (a form editing what was saved). */
  defaultValue?: string[];
  disabled?: boolean;
  /** One choice per line (for choices with hints), instead of a wrapping row. */
  stacked?: boolean;
  /** The field's messages, under the choices. */
  errors?: string[];
};

/**
 * The one group of checkboxes under a legend: posted with a form (`name`) or
 * controlled (`value` and `onChange`), in a wrapping row or one per line.
 */
export function CheckboxGroup({ legend, choices, name, value, onChange, defaultValue, disabled, stacked = false, errors }: Props) {
  const toggle = (v: string, on: boolean) => onChange?.(on ? [...(value ?? []), v] : (value ?? []).filter((x) => x !== v));
  return (
    <fieldset disabled={disabled}>
      <legend className="text-xs font-medium text-slate-600">{legend}</legend>
      <div className={stacked ? "text-sm" : "mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm"}>
        {choices.map((c) => (
          <label key={c.value} className={stacked ? "mt-1 flex items-start gap-2" : "flex items-center gap-1.5"}>
            <input
              type="checkbox"
              name={name}
              value={c.value}
              className={stacked ? "mt-1" : undefined}
              {...(value
                ? { checked: value.includes(c.value), onChange: (e: React.ChangeEvent<HTMLInputElement>) => toggle(c.value, e.target.checked) }
                : { defaultChecked: defaultValue?.includes(c.value) })}
            />
            {c.hint ? (
              <span>
                {c.label} {c.hint}
              </span>
            ) : (
              c.label
            )}
          </label>
        ))}
      </div>
      <FieldMessages messages={errors} />
    </fieldset>
  );
}
