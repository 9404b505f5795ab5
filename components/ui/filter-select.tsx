import { Select, type Choice } from "./select";

/**
 * A labelled filter for a list. The first choice (value "") means "any"; a
 * chosen "" is reported as undefined so it drops out of the URL. `className`
 * sizes the select (long choices show in full when it opens).
 */
export function FilterSelect({
  label,
  value,
  onChange,
  choices,
  className = "",
}: {
  label: string;
  value: string;
  onChange: (value: string | undefined) => void;
  choices: Choice[];
  className?: string;
}) {
  return (
    <label className="flex flex-col text-xs font-medium text-slate-600">
      {label}
      <Select aria-label={label} className={`mt-1 ${className}`} value={value} onChange={(e) => onChange(e.target.value || undefined)} choices={choices} />
    </label>
  );
}

/** A labelled search box for a list, its text kept by useUrlFilters (which debounces it into the URL). */
export function FilterSearch({
  label,
  value,
  onChange,
  placeholder,
  className = "",
}: {
  /** What the search covers, for screen readers ("Search findings"). */
  label: string;
  value: string;
  onChange: (text: string) => void;
  placeholder: string;
  className?: string;
}) {
  return (
    <label className="flex flex-col text-xs font-medium text-slate-600">
      Search
      <input
        type="search"
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        className={`mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm ${className}`}
      />
    </label>
  );
}
