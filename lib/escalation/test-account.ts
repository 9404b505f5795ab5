// A small AWS account as `aws iam get-account-authorization-details` writes it,
// for tests that import it (vitest through importAwsIam, Playwright through the API):
// a CI user that may assume a deployer role, which can pass an administrator role to
// a Lambda function when `deployerCanPass`; a read-only viewer role; a role any AWS
// principal may assume; with `person`, an IAM user of that name (a person: no kind
// tag, no access key known) who may assume the deployer too.

type Doc = Record<string, unknown>;
const policyDoc = (...Statement: Doc[]) => ({ Version: "2012-10-17", Statement });
const created = "2024-01-01T00:00:00Z";

/** A small `get-account-authorization-details` export. */
export function authorizationDetails(account: string, opts: { deployerCanPass: boolean; person?: string }) {
  const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
  const role = (name: string, trust: Doc, inline: Doc | null, attached: string[] = []) => ({
    Path: "/",
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z]/g, "")}`,
    Arn: arn("role", name),
    CreateDate: created,
    AssumeRolePolicyDocument: policyDoc({ Effect: "Allow", Principal: trust, Action: "sts:AssumeRole" }),
    InstanceProfileList: [],
    RolePolicyList: inline ? [{ PolicyName: `${name}-inline`, PolicyDocument: inline }] : [],
    AttachedManagedPolicies: attached.map((a) => ({ PolicyName: a.split("/").pop(), PolicyArn: a })),
    Tags: [],
  });
  const deployer = policyDoc(...(opts.deployerCanPass ? [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] : []), {
    Effect: "Allow",
    Action: ["lambda:CreateFunction", "lambda:InvokeFunction"],
    Resource: "*",
  });
  const managed = (name: string, doc: Doc) => ({
    PolicyName: name,
    Arn: `arn:aws:iam::aws:policy/${name}`,
    Path: "/",
    DefaultVersionId: "v1",
    PolicyVersionList: [{ Document: doc, VersionId: "v1", IsDefaultVersion: true, CreateDate: created }],
  });
  const user = (name: string, tags: { Key: string; Value: string }[]) => ({
    Path: "/",
    UserName: name,
    UserId: `AIDA${name.toUpperCase().replace(/[^A-Z]/g, "")}`,
    Arn: arn("user", name),
    CreateDate: created,
    UserPolicyList: [
      { PolicyName: "assume-deployer", PolicyDocument: policyDoc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: arn("role", "deployer") }) },
    ],
    GroupList: [],
    AttachedManagedPolicies: [],
    Tags: tags,
  });
  return {
    UserDetailList: [user("ci-bot", [{ Key: "identity-kind", Value: "service_account" }]), ...(opts.person ? [user(opts.person, [])] : [])],
    GroupDetailList: [],
    RoleDetailList: [
      role("deployer", { AWS: `arn:aws:iam::${account}:root` }, deployer),
      role("lambda-admin", { Service: "lambda.amazonaws.com" }, null, ["arn:aws:iam::aws:policy/AdministratorAccess"]),
      role("viewer", { AWS: `arn:aws:iam::${account}:root` }, null, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
      role("public", "*" as unknown as Doc, null),
    ],
    Policies: [
      managed("AdministratorAccess", policyDoc({ Effect: "Allow", Action: "*", Resource: "*" })),
      managed("ReadOnlyAccess", policyDoc({ Effect: "Allow", Action: ["s3:Get*", "s3:List*", "ec2:Describe*", "athena:StartQueryExecution"], Resource: "*" })),
    ],
  };
}
