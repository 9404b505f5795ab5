/** Shared look of the dashboard's charts: colours are the CSS variables of globals.css, never literals. */
export const chart = {
  approved: "var(--chart-1)",
  used: "var(--chart-2)",
  standing: "var(--chart-5)",
  unapproved: "var(--chart-4)",
  requests: "var(--chart-7)",
  breakGlass: "var(--chart-4)",
  people: "var(--chart-2)",
  nhi: "var(--chart-5)",
  bar: "var(--chart-1)",
  grid: "var(--chart-muted)",
  palette: ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)", "var(--chart-6)", "var(--chart-7)"],
};

export const axisTick = { fontSize: 12, fill: "currentColor" };

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-09-01" → "1 Sep", read as a UTC day whatever the browser's time zone. */
export function dayTick(day: string) {
  const [, m, d] = day.split("-").map(Number);
  return `${d} ${months[m - 1]}`;
}

export const numberTick = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : n.toLocaleString("en"));
