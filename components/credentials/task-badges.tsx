import { Badge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";

type Task = {
  id: string;
  kind: "rotate" | "revoke";
  reason: string;
  dueAt: Date;
  escalationLevel: number;
  assigneeName: string | null;
  escalatedToName: string | null;
};

const escalation = (t: Task) =>
  t.escalationLevel >= 2 ? "escalated to the admins" : t.escalationLevel === 1 ? `escalated to ${t.escalatedToName ?? "the manager"}` : null;

/** A credential's open work: what, by when, whose, and how far it has climbed. */
export function CredentialTaskBadges({ tasks }: { tasks: Task[] }) {
  return tasks.map((t) => {
    const late = new Date(t.dueAt) < new Date();
    return (
      <div key={t.id} className="mb-1 text-xs" data-testid="credential-task">
        <Badge tone={t.kind === "revoke" ? "red" : "amber"} title={t.reason}>
          {t.kind === "revoke" ? "revocation requested" : "rotation requested"}
        </Badge>{" "}
        <span className={late ? "font-medium text-rose-700" : "text-slate-500"}>
          {late ? "overdue since" : "due"} {formatDate(t.dueAt)}
        </span>
        <span className="text-slate-500">
          {" · "}
          {t.assigneeName ?? "the admins"}
          {escalation(t) && ` · ${escalation(t)}`}
        </span>
      </div>
    );
  });
}
