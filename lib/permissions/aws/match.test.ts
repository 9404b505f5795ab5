import { describe, expect, it } from "vitest";
import { isSensitiveAction, roleOfArn } from "./match";

describe("reading AWS principals and actions", () => {
  it("finds the account and role a role ARN or an assumed-role session names, in every partition", () => {
    expect(roleOfArn("arn:aws:iam::123456789012:role/service/orders-api")).toEqual({ accountId: "123456789012", roleName: "orders-api" });
    expect(roleOfArn("arn:aws:sts::123456789012:assumed-role/orders-api/handler-1")).toEqual({ accountId: "123456789012", roleName: "orders-api" });
    expect(roleOfArn("arn:aws-us-gov:iam::123456789012:role/deployer")).toEqual({ accountId: "123456789012", roleName: "deployer" });
    expect(roleOfArn("arn:aws:iam::123456789012:user/alice")).toBeNull();
    expect(roleOfArn("orders-api")).toBeNull();
  });

  it("calls actions on identities, sessions, the organisation and keys sensitive, whatever their case", () => {
    for (const a of ["iam:PassRole", "sts:AssumeRole", "organizations:LeaveOrganization", "kms:Decrypt", "IAM:CreateAccessKey"])
      expect(isSensitiveAction(a), a).toBe(true);
    for (const a of ["s3:GetObject", "iamx:Foo", "ec2:RunInstances"]) expect(isSensitiveAction(a), a).toBe(false);
  });
});
