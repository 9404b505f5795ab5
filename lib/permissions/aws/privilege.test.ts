import { beforeAll, describe, expect, it } from "vitest";
import { loadAccessLevels, type AccessLevels } from "@/lib/permissions/aws/access-levels";
import { loadCatalogue, normalizePolicyDocument, type ActionCatalogue } from "@/lib/permissions/aws/catalogue";
import { privilegeLevelOf } from "./privilege";

let catalogue: ActionCatalogue;
let levels: AccessLevels;
beforeAll(async () => {
  [catalogue, levels] = await Promise.all([loadCatalogue(), loadAccessLevels()]);
}, 60_000);

const level = (ref: string, ...Statement: Record<string, unknown>[]) =>
  privilegeLevelOf(catalogue, levels, { ref, statements: normalizePolicyDocument({ Statement }) }, new Date("2026-12-02T00:00:00Z"));
const CUSTOMER = "arn:aws:iam::111111111111:policy/custom";

describe("a policy's own privilege level", () => {
  it("is admin for everything, or a way to change principals' permissions", () => {
    expect(level(CUSTOMER, { Effect: "Allow", Action: "*", Resource: "*" })).toBe("admin");
    expect(level(CUSTOMER, { Effect: "Allow", Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::111111111111:role/*" })).toBe("admin");
    expect(level(CUSTOMER, { Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: "*" })).toBe("admin");
  });

  it("is not admin when the escalation can only touch what nobody can change, or under a condition that cannot hold", () => {
    // AWS-managed policies cannot be versioned by anyone.
    expect(level(CUSTOMER, { Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::aws:policy/*" })).toBe("privileged");
    expect(
      level(CUSTOMER, {
        Effect: "Allow",
        Action: "iam:PutRolePolicy",
        Resource: "*",
        Condition: { DateLessThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } },
      }),
    ).toBe("standard");
    // Attaching only a read-only policy.
    expect(
      level(CUSTOMER, {
        Effect: "Allow",
        Action: "iam:AttachRolePolicy",
        Resource: "*",
        Condition: { ArnEquals: { "iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess" } },
      }),
    ).toBe("privileged");
  });

  it("is standard for AWS's read-only policies, whatever actions they list", () => {
    const listing = { Effect: "Allow", Action: ["s3:Get*", "ec2:Describe*", "athena:StartQueryExecution"], Resource: "*" };
    expect(level("arn:aws:iam::aws:policy/ReadOnlyAccess", listing)).toBe("standard");
    expect(level("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", listing)).toBe("standard");
    expect(level(CUSTOMER, listing)).toBe("privileged");
    expect(level(CUSTOMER, { Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" })).toBe("standard");
  });
});
