import { format, formatDistanceToNowStrict } from "date-fns";

export const kindLabels: Record<string, string> = {
  human: "Person",
  service_account: "Service account",
  api_key: "API key",
  workload_role: "Workload role",
  bot: "Bot",
  ai_agent: "AI agent",
  certificate: "Certificate",
};

export function formatDate(value: Date | string | null | undefined) {
  if (!value) return "—";
  return format(new Date(value), "d MMM yyyy");
}

export function formatDateTime(value: Date | string | null | undefined) {
  if (!value) return "—";
  return format(new Date(value), "d MMM yyyy, HH:mm");
}

/**
 * "3 days ago" / "in 2 months"; a dash for missing values. Nothing finer than
 * a minute: seconds would differ between the server's render and the
 * browser's a moment later, which React reports as a hydration mismatch.
 */
export function relative(value: Date | string | null | undefined) {
  if (!value) return "—";
  const date = new Date(value);
  const ms = date.getTime() - Date.now();
  if (Math.abs(ms) < 60_000) return "just now";
  const words = formatDistanceToNowStrict(date, { roundingMethod: "floor" });
  return ms > 0 ? `in ${words}` : `${words} ago`;
}

export function ageInDays(value: Date | string | null | undefined) {
  if (!value) return null;
  return Math.floor((Date.now() - new Date(value).getTime()) / 86_400_000);
}

/** 90 → "1 h 30 min", 2880 → "2 days". */
export function formatMinutes(total: number) {
  if (total >= 1440 && total % 1440 === 0) return `${total / 1440} day${total === 1440 ? "" : "s"}`;
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
