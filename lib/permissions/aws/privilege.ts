import type { PrivilegeLevel } from "@/db/schema";
import { changes, type AccessLevels } from "./access-levels";
import { compileAction, decide, principalContext, type PrincipalPolicies } from "./evaluate";
import type { ActionCatalogue, Statement } from "./catalogue";
import { effectiveActions } from "./catalogue";

/** AWS designates these managed policies read-only: whatever actions they list, holding them changes nothing. */
export const READ_ONLY_MANAGED =
  /^arn:aws[a-z-]*:iam::aws:policy\/(?:job-function\/)?(?:ReadOnlyAccess|ViewOnlyAccess|SecurityAudit|[A-Za-z0-9]+ReadOnlyAccess)$/;

// Resources a policy's holder could be or could change. Account ids are twelve
// digits: "????????????" matches any customer account and never "aws", so a
// grant limited to AWS-managed policies (which nobody can change) does not count.
const ANY_ACCOUNT = "????????????";
const principalArns = (type: string) => `arn:aws:iam::${ANY_ACCOUNT}:${type}/*`;
const ADMIN_POLICY = { "iam:PolicyARN": ["arn:aws:iam::aws:policy/AdministratorAccess"] };

/**
 * Actions that let the holder grant itself (or anyone) more access, with the
 * resources on which they do: holding one is as good as administrator,
 * whatever else the policy says. The full, principal-by-principal picture
 * (pass-role to compute, assume-role chains) is the escalation analysis's
 * (lib/escalation); this is what one policy says on its own.
 */
const ESCALATION: { action: string; resource: string; context?: Record<string, string[]> }[] = [
  { action: "iam:AttachUserPolicy", resource: principalArns("user"), context: ADMIN_POLICY },
  { action: "iam:AttachRolePolicy", resource: principalArns("role"), context: ADMIN_POLICY },
  { action: "iam:AttachGroupPolicy", resource: principalArns("group"), context: ADMIN_POLICY },
  { action: "iam:PutUserPolicy", resource: principalArns("user") },
  { action: "iam:PutRolePolicy", resource: principalArns("role") },
  { action: "iam:PutGroupPolicy", resource: principalArns("group") },
  { action: "iam:CreatePolicyVersion", resource: `arn:aws:iam::${ANY_ACCOUNT}:policy/*` },
  { action: "iam:SetDefaultPolicyVersion", resource: `arn:aws:iam::${ANY_ACCOUNT}:policy/*` },
  { action: "iam:UpdateAssumeRolePolicy", resource: principalArns("role") },
  { action: "iam:CreateAccessKey", resource: principalArns("user") },
  { action: "iam:CreateLoginProfile", resource: principalArns("user") },
  { action: "iam:UpdateLoginProfile", resource: principalArns("user") },
  { action: "iam:AddUserToGroup", resource: principalArns("group") },
  { action: "iam:PutUserPermissionsBoundary", resource: principalArns("user") },
  { action: "iam:DeleteUserPermissionsBoundary", resource: principalArns("user") },
  { action: "iam:DeleteRolePermissionsBoundary", resource: principalArns("role") },
  { action: "organizations:LeaveOrganization", resource: "*" },
  { action: "kms:PutKeyPolicy", resource: `arn:aws:kms:*:${ANY_ACCOUNT}:key/*` },
];

/**
 * How dangerous one policy is on its own, in the product's three levels:
 * admin when it allows most of AWS (a `*` or a broad NotAction) or a way to
 * escalate one's own access on a resource that could be abused; privileged
 * when it allows changing anything (AWS's "Write" or "Permissions management"
 * access levels); standard when it only reads, lists or tags, and for the
 * policies AWS designates read-only. Conditions are evaluated: one that can
 * no longer hold (a time bound in the past) takes its allow away.
 */
export function privilegeLevelOf(
  catalogue: ActionCatalogue,
  levels: AccessLevels,
  policy: { ref: string; statements: Statement[] },
  now = new Date(),
): PrivilegeLevel {
  if (READ_ONLY_MANAGED.test(policy.ref)) return "standard";
  const holder: PrincipalPolicies = {
    arn: `arn:aws:iam::${ANY_ACCOUNT}:role/holder`,
    accountId: ANY_ACCOUNT,
    kind: "role",
    name: "holder",
    identity: [{ policy: policy.ref, statements: policy.statements }],
    boundary: null,
    scps: [],
  };
  const allows = (action: string, resource: string, context: Record<string, string[]> = {}) =>
    decide(compileAction(holder, action, principalContext(holder, now, context)), resource, true).decision !== "denied";

  const { allowed } = effectiveActions(catalogue, policy.statements);
  if (allowed.size >= catalogue.actions.length / 2 && allows("iam:CreateUser", "*")) return "admin";
  if (ESCALATION.some((e) => allows(e.action, e.resource, e.context))) return "admin";
  for (const a of allowed) if (changes(levels.get(a.toLowerCase())) && allows(a, "*")) return "privileged";
  return "standard";
}
