import { describe, expect, it } from "vitest";
import { ACCOUNT, allow, deny, doc, role } from "@/lib/escalation/test-model";
import { effectiveStatements } from "./effective";

const now = new Date("2026-12-02T12:00:00Z");

describe("effective permissions, statement by statement", () => {
  it("keeps resource scoping as written and marks conditional allows", () => {
    const bucket = `arn:aws:s3:::reports/*`;
    const p = role("reader", {
      policies: [doc(allow("s3:GetObject", bucket), allow("s3:PutObject", bucket, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }))],
    });
    expect(effectiveStatements(p, now)).toMatchObject([
      { actions: ["s3:GetObject"], resources: [bucket], status: "allowed" },
      { actions: ["s3:PutObject"], resources: [bucket], status: "conditional", dependsOn: ["aws:MultiFactorAuthPresent"] },
    ]);
  });

  it("shows an allow-everything cancelled by a deny-everything as removed, and by what", () => {
    const p = role("boxed", { policies: [doc(allow("*")), doc(deny("*"))] });
    expect(effectiveStatements(p, now)).toMatchObject([{ actions: ["*"], status: "removed", removedBy: { policy: "boxed-policy-1", statement: 0 } }]);
  });

  it("removes what the boundary or an SCP leaves out; a condition that cannot hold removes its allow", () => {
    const admin = doc(allow("iam:*"));
    expect(effectiveStatements(role("b", { policies: [admin], boundary: doc(allow("s3:*")) }), now)).toMatchObject([
      { status: "removed", removedBy: "permissions boundary" },
    ]);
    expect(effectiveStatements(role("s", { policies: [admin], scps: [[doc(allow("s3:*"))]] }), now)).toMatchObject([
      { status: "removed", removedBy: "service control policy" },
    ]);
    const expired = doc(allow("ec2:*", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } } }));
    expect(effectiveStatements(role("t", { policies: [expired] }), now)).toMatchObject([{ status: "removed" }]);
    // A deny on part of the resources leaves the rest.
    const partly = role("p", { policies: [doc(allow("s3:GetObject", "*"), deny("s3:GetObject", `arn:aws:s3:::secrets/*`))], account: ACCOUNT });
    expect(effectiveStatements(partly, now)[0].status).toBe("allowed");
  });
});
