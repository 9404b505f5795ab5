/** A toggle filter showing how many rows it leaves: the tabs above the findings and the actions lists. */
export function CountPill({
  label,
  count,
  atLeast = false,
  active,
  onClick,
}: {
  label: string;
  count: number;
  /** The count stopped counting (a broad search): it is a lower bound, shown "1,000+". */
  atLeast?: boolean;
  active: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      aria-pressed={active}
      onClick={onClick}
      className={`rounded-full border px-3 py-1 text-sm ${active ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:border-brand-600"}`}
    >
      {label}{" "}
      <span className={`ml-1 tabular-nums ${active ? "text-brand-100" : "text-slate-500"}`}>
        {count.toLocaleString("en")}
        {atLeast && "+"}
      </span>
    </button>
  );
}
