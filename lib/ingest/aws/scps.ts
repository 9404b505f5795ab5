// Service control policies from AWS Organizations, for the accounts an IAM
// import covers: what the organisation allows at each level above the account.
// The file lists the levels from the root down to the account, each with the
// policies attached there, as `aws organizations list-policies-for-target`
// names them and `aws organizations describe-policy` gives their content:
//   { "levels": [ { "target": "r-abcd", "policies": [ { "Name": "FullAWSAccess", "Content": "{…}" } ] }, … ] }

import type { PermissionStatement } from "@/db/schema";
import { ValidationError } from "@/lib/errors";
import { normalizePolicyDocument } from "@/lib/permissions/aws/catalogue";

export type ScpLevels = { name: string; statements: PermissionStatement[] }[][];

const fail = (message: string): never => {
  throw new ValidationError({ scps: [message] }, `Service control policies: ${message}`);
};

export function parseServiceControlPolicies(input: unknown): ScpLevels {
  let value = input;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
  }
  const levels = (value as { levels?: unknown } | null)?.levels;
  if (!Array.isArray(levels) || levels.length === 0) fail('expected { "levels": [ { "target", "policies": [ { "Name", "Content" } ] }, … ] }, root first.');
  return (levels as unknown[]).map((level, l) => {
    const policies = (level as { policies?: unknown } | null)?.policies;
    if (!Array.isArray(policies) || policies.length === 0)
      fail(`levels[${l}] has no policies: every level must allow an action for the account to use it, so a level needs at least one (FullAWSAccess).`);
    return (policies as unknown[]).map((p, i) => {
      const where = `levels[${l}].policies[${i}]`;
      const { Name: name, Content: content } = (p ?? {}) as { Name?: unknown; Content?: unknown };
      if (typeof name !== "string" || !name.trim()) fail(`${where}: Name is missing.`);
      try {
        return { name: (name as string).trim(), statements: normalizePolicyDocument(content, `${where} (${name as string})`) };
      } catch (e) {
        return fail((e as Error).message);
      }
    });
  });
}
