import Link from "next/link";

/**
 * A headline figure. `delta` is the change against 30 days ago (when the
 * trend has that day); for a risk figure, up is worse, so it shows red.
 */
export function RiskTile({
  label,
  value,
  href,
  hint,
  delta,
  testId,
  children,
}: {
  label: string;
  value: React.ReactNode;
  href?: string;
  hint: React.ReactNode;
  delta?: number | null;
  testId: string;
  children?: React.ReactNode;
}) {
  return (
    <div
      className={`relative flex flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${href ? "hover:border-brand-600" : ""}`}
      data-testid={testId}
    >
      {href ? (
        <Link href={href} className="text-sm font-medium text-slate-600 after:absolute after:inset-0 hover:text-brand-700">
          {label}
        </Link>
      ) : (
        <span className="text-sm font-medium text-slate-600">{label}</span>
      )}
      <div className="mt-1 flex flex-wrap items-baseline gap-x-2">
        <span className="text-3xl font-semibold tabular-nums" data-testid="tile-value">
          {value}
        </span>
        {delta != null && <Delta value={delta} />}
      </div>
      <div className="mt-1 text-xs text-slate-500">{hint}</div>
      {children && <div className="relative z-10 mt-2">{children}</div>}
    </div>
  );
}

function Delta({ value }: { value: number }) {
  if (value === 0)
    return (
      <span className="text-xs font-medium text-slate-500" data-testid="tile-delta">
        no change vs 30 days ago
      </span>
    );
  const up = value > 0;
  return (
    <span className={`text-xs font-medium ${up ? "text-rose-700" : "text-emerald-700"}`} data-testid="tile-delta" title="Change against 30 days ago">
      {up ? "▲" : "▼"} {Math.abs(value).toLocaleString("en")} <span className="font-normal text-slate-500">vs 30 days ago</span>
    </span>
  );
}
