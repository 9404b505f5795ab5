import type { Step } from "./analyze";
import { SERVICE_ACCOUNT_PREFIX as SERVICE_ACCOUNT } from "@/lib/permissions/k8s/users";
import { pathClassById } from "./catalogue";

/** A step as people and the API read it: names instead of ids, each action with the statements that allow it. */
export type StepView = {
  from: string;
  to: string;
  pathClass: string;
  /** The class's title ("assumes a role that trusts it"); the description names the target too. */
  title: string;
  description: string;
  actions: { action: string; resource: string; allowedBy: { policy: string; statement: number; sid?: string }[]; conditional: boolean }[];
  conditional: boolean;
  dependsOn: string[];
  needs: string | null;
  sources: string[];
};

/** A statement as people cite it: its Sid when it has one, else its place in the document, counted from 1. */
export const statementLabel = (c: { statement: number; sid?: string }) => (c.sid ? `statement "${c.sid}"` : `statement #${c.statement + 1}`);

/** "role/deployer" for a principal's ARN, "payments/ci" for a Kubernetes service account, "administrator access" for the path's end. */
export const shortName = (arnOrKey: string) =>
  arnOrKey === "admin"
    ? "administrator access"
    : arnOrKey.startsWith("arn:")
      ? arnOrKey.split(":").slice(5).join(":")
      : arnOrKey.startsWith(SERVICE_ACCOUNT)
        ? arnOrKey.slice(SERVICE_ACCOUNT.length).replace(":", "/")
        : arnOrKey;

/** Whether a step's target is one principal, named in its description ("runs a pod as a service account (payments/ci)"). */
const namesOne = (to: string) => to.startsWith("arn:") || to.startsWith(SERVICE_ACCOUNT);

export function stepView(s: Step): StepView {
  return {
    from: s.from,
    to: s.to,
    pathClass: s.classId,
    title: s.title,
    description:
      namesOne(s.to) && s.classId !== "assume-role" ? `${s.title} (${shortName(s.to)})` : s.classId === "assume-role" ? `assumes ${shortName(s.to)}` : s.title,
    actions: s.actions.map((a) => ({ action: a.action, resource: a.resource, allowedBy: a.allowedBy, conditional: a.decision === "conditional" })),
    conditional: s.conditional,
    dependsOn: s.dependsOn,
    needs: s.needs ?? null,
    sources: pathClassById.get(s.classId)?.sources ?? [],
  };
}

/** A finding's or verdict's stored path (raw steps) as people read it; [] for anything else. */
export const stepsOf = (path: unknown): StepView[] => (Array.isArray(path) ? (path as Step[]).map(stepView) : []);
