import { Badge, type Tone } from "@/components/ui/badge";

const tones: Record<string, Tone> = {
  pending: "amber",
  approved: "blue",
  active: "green",
  denied: "red",
  expired: "neutral",
  released: "neutral",
  revoked: "purple",
  cancelled: "neutral",
  timed_out: "neutral",
};

const words: Record<string, string> = { timed_out: "timed out", approved: "approved, starts later" };

/** A request's status as it reads now (computed from its window on the server). */
export function RequestStatus({ status, breakGlass }: { status: string; breakGlass?: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge tone={tones[status] ?? "neutral"}>{words[status] ?? status}</Badge>
      {breakGlass && (
        <Badge tone="red" title="Activated without approval in an emergency">
          break-glass
        </Badge>
      )}
    </span>
  );
}

export const levelTone: Record<string, Tone> = { admin: "red", privileged: "purple", standard: "neutral" };
