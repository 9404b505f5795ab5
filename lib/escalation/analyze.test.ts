import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, type ActionCatalogue } from "@/lib/permissions/aws/catalogue";
import { loadAccessLevels, type AccessLevels } from "@/lib/permissions/aws/access-levels";
import { analyze, type ModelPrincipal, type PrincipalVerdict } from "./analyze";
import { pathClasses } from "./catalogue";
import { ACCOUNT, ADMIN_POLICY, OTHER_ACCOUNT, allow, deny, doc, group, model, role, trusting, user } from "./test-model";

let deps: { catalogue: ActionCatalogue; levels: AccessLevels };
beforeAll(async () => {
  deps = { catalogue: await loadCatalogue(), levels: await loadAccessLevels() };
}, 60_000);

/** The verdict on `who` in an account of these principals (and groups). */
function verdictOf(who: ModelPrincipal, others: ModelPrincipal[] = [], groups: ReturnType<typeof group>[] = []): PrincipalVerdict {
  const result = analyze(model([who, ...others], groups), deps);
  return result.verdicts.find((v) => v.arn === who.arn)!;
}
const classesOf = (v: PrincipalVerdict) => v.path.map((s) => s.classId);

const adminRole = (name: string, trust: NonNullable<Parameters<typeof role>[1]>["trust"], extra: Parameters<typeof role>[1] = {}) =>
  role(name, { policies: [ADMIN_POLICY], trust, ...extra });
const lambdaAdmin = () => adminRole("lambda-admin", trusting({ Service: "lambda.amazonaws.com" }));

describe("self-escalation", () => {
  it("writes or attaches a policy on itself; not on someone else", () => {
    const me = user("dev", { policies: [doc(allow("iam:PutUserPolicy", `arn:aws:iam::${ACCOUNT}:user/dev`))] });
    expect(verdictOf(me)).toMatchObject({ level: "admin", reachesAdmin: true });
    expect(classesOf(verdictOf(me))).toEqual(["put-user-policy-self"]);
    const other = user("dev", { policies: [doc(allow("iam:PutUserPolicy", `arn:aws:iam::${ACCOUNT}:user/someone-else`))] });
    expect(verdictOf(other)).toMatchObject({ reachesAdmin: false, level: "privileged" });
  });

  it("is cancelled by a deny in another policy, a boundary that leaves the action out, or an SCP", () => {
    const put = doc(allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/ops`));
    expect(verdictOf(role("ops", { policies: [put] }))).toMatchObject({ level: "admin" });
    expect(verdictOf(role("ops", { policies: [put, doc(deny("iam:Put*"))] }))).toMatchObject({ reachesAdmin: false });
    expect(verdictOf(role("ops", { policies: [put], boundary: doc(allow("s3:*")) }))).toMatchObject({ reachesAdmin: false });
    expect(verdictOf(role("ops", { policies: [put], scps: [[doc(allow("*"), deny("iam:*"))]] }))).toMatchObject({ reachesAdmin: false });
  });

  it("attaching counts only when the administrator policy may be attached (iam:PolicyARN)", () => {
    const any = doc(allow("iam:AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:role/ci`));
    expect(classesOf(verdictOf(role("ci", { policies: [any] })))).toEqual(["attach-role-policy-self"]);
    const onlyReadOnly = doc(
      allow("iam:AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:role/ci`, {
        Condition: { ArnEquals: { "iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess" } },
      }),
    );
    expect(verdictOf(role("ci", { policies: [onlyReadOnly] }))).toMatchObject({ reachesAdmin: false });
  });

  it("through a group it belongs to, and not one it does not", () => {
    const put = doc(allow("iam:PutGroupPolicy", `arn:aws:iam::${ACCOUNT}:group/devs`));
    expect(classesOf(verdictOf(user("ana", { policies: [put], groups: ["devs"] })))).toEqual(["put-group-policy-self"]);
    expect(verdictOf(user("ana", { policies: [put], groups: ["ops"] }))).toMatchObject({ reachesAdmin: false });
  });

  it("rewrites a customer-managed policy it holds; AWS-managed policies cannot be changed", () => {
    const own = doc(allow("iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNT}:policy/*`));
    expect(classesOf(verdictOf(role("app", { policies: [own], customerPolicies: ["app-policy"] })))).toEqual(["create-policy-version"]);
    const awsOnly = doc(allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*"));
    expect(verdictOf(role("app", { policies: [awsOnly], customerPolicies: ["app-policy"] }))).toMatchObject({ reachesAdmin: false });
  });

  it("a condition that can no longer hold removes the allow; one that may hold makes the path conditional", () => {
    const expired = doc(
      allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/tmp`, { Condition: { DateLessThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } } }),
    );
    expect(verdictOf(role("tmp", { policies: [expired] }))).toMatchObject({ reachesAdmin: false });
    const mfa = doc(allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/tmp`, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }));
    const v = verdictOf(role("tmp", { policies: [mfa] }));
    expect(v).toMatchObject({ reachesAdmin: true, pathConditional: true, level: "privileged" });
    expect(v.path[0].dependsOn).toEqual(["aws:MultiFactorAuthPresent"]);
  });

  it("joins a group whose policies are administrator", () => {
    const join = doc(allow("iam:AddUserToGroup", `arn:aws:iam::${ACCOUNT}:group/admins`));
    const admins = group("admins", [ADMIN_POLICY]);
    expect(classesOf(verdictOf(user("eve", { policies: [join] }), [], [admins]))).toEqual(["add-user-to-group"]);
    expect(verdictOf(user("eve", { policies: [join] }), [], [group("admins", [doc(allow("s3:GetObject"))])])).toMatchObject({ reachesAdmin: false });
  });
});

describe("administrator access held outright", () => {
  it("allow-everything is admin; cancelled by a deny-everything on the same principal it is nothing", () => {
    expect(verdictOf(role("root-like", { policies: [ADMIN_POLICY] }))).toMatchObject({ level: "admin", holdsAdmin: expect.anything() });
    const cancelled = verdictOf(role("boxed", { policies: [ADMIN_POLICY, doc(deny("*"))] }));
    expect(cancelled).toMatchObject({ level: "standard", holdsAdmin: null, reachesAdmin: false });
  });

  it("AWS's read-only policies are standard", () => {
    const readOnly = doc(allow(["s3:Get*", "s3:List*", "ec2:Describe*", "athena:StartQueryExecution", "iam:Get*", "iam:List*"]));
    expect(verdictOf(role("viewer", { managed: { ReadOnlyAccess: readOnly }, readOnly: true }))).toMatchObject({ level: "standard" });
    // The same statements in a customer policy are judged by what they allow.
    expect(verdictOf(role("viewer", { policies: [readOnly] }))).toMatchObject({ level: "privileged" });
  });
});

describe("taking over other principals", () => {
  const admin = () => user("boss", { policies: [ADMIN_POLICY] });

  it("mints an access key or a password for an administrator", () => {
    const keys = user("helpdesk", { policies: [doc(allow("iam:CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/*`))] });
    const v = verdictOf(keys, [admin()]);
    expect(v).toMatchObject({ level: "admin" });
    expect(classesOf(v)).toEqual(["create-access-key", "holds-admin"]);
    const pw = user("helpdesk", { policies: [doc(allow("iam:UpdateLoginProfile", `arn:aws:iam::${ACCOUNT}:user/boss`))] });
    expect(classesOf(verdictOf(pw, [admin()]))).toEqual(["login-profile", "holds-admin"]);
    // Near miss: a boundary that leaves the action out.
    const boxed = user("helpdesk", { policies: [doc(allow("iam:CreateAccessKey"))], boundary: doc(allow("iam:Get*")) });
    expect(verdictOf(boxed, [admin()])).toMatchObject({ reachesAdmin: false });
  });

  it("rewrites an administrator role's trust policy", () => {
    const target = adminRole("break-glass", trusting({ AWS: `arn:aws:iam::${ACCOUNT}:role/nobody` }));
    const writer = role("auto", { policies: [doc(allow("iam:UpdateAssumeRolePolicy", `arn:aws:iam::${ACCOUNT}:role/break-glass`))] });
    expect(classesOf(verdictOf(writer, [target]))).toEqual(["update-assume-role-policy", "holds-admin"]);
    const stale = role("auto", {
      policies: [doc(allow("iam:UpdateAssumeRolePolicy", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "2025-06-30T00:00:00Z" } } }))],
    });
    expect(verdictOf(stale, [target])).toMatchObject({ reachesAdmin: false });
  });
});

describe("assuming roles", () => {
  it("follows a chain of trust and permission to an administrator role, step by step", () => {
    const start = user("ci", { policies: [doc(allow("sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/deployer`))] });
    const deployer = role("deployer", { policies: [doc(allow("sts:AssumeRole", "*"))], trust: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) });
    const top = adminRole("org-admin", trusting({ AWS: `arn:aws:iam::${ACCOUNT}:role/deployer` }));
    const v = verdictOf(start, [deployer, top]);
    expect(v).toMatchObject({ level: "admin", reachesAdmin: true });
    expect(v.path.map((s) => [s.classId, s.to])).toEqual([
      ["assume-role", deployer.arn],
      ["assume-role", top.arn],
      ["holds-admin", "admin"],
    ]);
    expect(v.path[0].actions[0]).toMatchObject({ action: "sts:AssumeRole", resource: deployer.arn, allowedBy: [{ policy: "ci-policy-0", statement: 0 }] });
    expect(v.reachable.sort()).toEqual([deployer.arn, top.arn].sort());
  });

  it("needs both the caller's permission and the trust policy when trust names the account", () => {
    const top = adminRole("ops-admin", trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    expect(verdictOf(user("a", { policies: [doc(allow("sts:AssumeRole"))] }), [top])).toMatchObject({ level: "admin" });
    expect(verdictOf(user("a", { policies: [doc(allow("s3:GetObject"))] }), [top])).toMatchObject({ reachesAdmin: false });
    // Trust that does not admit the caller.
    const other = adminRole("ops-admin", trusting({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }));
    expect(verdictOf(user("a", { policies: [doc(allow("sts:AssumeRole"))] }), [other])).toMatchObject({ reachesAdmin: false });
    // Trust naming the caller exactly needs no permission of its own; an explicit deny still stops it.
    const named = adminRole("ops-admin", trusting({ AWS: `arn:aws:iam::${ACCOUNT}:user/a` }));
    expect(verdictOf(user("a"), [named])).toMatchObject({ level: "admin" });
    expect(verdictOf(user("a", { policies: [doc(deny("sts:AssumeRole"))] }), [named])).toMatchObject({ reachesAdmin: false });
  });

  it("may assume any role: one step per role trusting its account, citing its allow on any role and the role's trust", () => {
    const top = adminRole("ops-admin", trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    const worker = role("worker", { trust: trusting({ AWS: ACCOUNT }) });
    const v = verdictOf(user("a", { policies: [doc(allow("sts:AssumeRole"))] }), [worker, top]);
    expect(v).toMatchObject({ level: "admin", reachesAdmin: true, pathConditional: false });
    expect(v.path.map((s) => [s.classId, s.to])).toEqual([
      ["assume-role", top.arn],
      ["holds-admin", "admin"],
    ]);
    expect(v.path[0].actions).toMatchObject([
      { action: "sts:AssumeRole", resource: "*", allowedBy: [{ policy: "a-policy-0", statement: 0 }] },
      { action: "sts:AssumeRole", resource: top.arn, allowedBy: [{ policy: `trust policy of ${top.arn}`, statement: 0 }] },
    ]);
    expect(v.reachable.sort()).toEqual([top.arn, worker.arn].sort());
    // Rewriting a role it may assume that way is administrator access too, cited role by role.
    const writer = verdictOf(user("w", { policies: [doc(allow("sts:AssumeRole"), allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/worker`))] }), [
      worker,
    ]);
    expect(classesOf(writer)).toEqual(["modify-role-then-assume"]);
    expect(writer.path[0].actions.map((a) => [a.action, a.resource])).toEqual([
      ["iam:PutRolePolicy", worker.arn],
      ["sts:AssumeRole", worker.arn],
      ["sts:AssumeRole", worker.arn],
    ]);
    // Denied on every role: none of them.
    const denied = verdictOf(user("d", { policies: [doc(allow("sts:AssumeRole"), deny("sts:AssumeRole"))] }), [worker, top]);
    expect(denied).toMatchObject({ reachesAdmin: false, reachable: [] });
  });

  it("gives an administrator policy to a role it may assume", () => {
    const plain = role("worker", { trust: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:user/a` }) });
    const a = user("a", { policies: [doc(allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/worker`))] });
    expect(classesOf(verdictOf(a, [plain]))).toEqual(["modify-role-then-assume"]);
    expect(
      verdictOf(user("a", { policies: [doc(allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/worker`))] }), [
        role("worker", { trust: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:user/b` }) }),
      ]),
    ).toMatchObject({ reachesAdmin: false });
  });
});

describe("passing a role to new compute", () => {
  const passAny = allow("iam:PassRole", "*");
  const cases: [string, string[], string, NonNullable<Parameters<typeof role>[1]>["trust"], boolean?][] = [
    ["lambda-create-invoke", ["lambda:CreateFunction", "lambda:InvokeFunction"], "lambda.amazonaws.com", undefined],
    ["ec2-run-instances", ["ec2:RunInstances"], "ec2.amazonaws.com", undefined, true],
    ["autoscaling-launch-config", ["autoscaling:CreateLaunchConfiguration", "autoscaling:CreateAutoScalingGroup"], "ec2.amazonaws.com", undefined, true],
    ["glue-dev-endpoint-create", ["glue:CreateDevEndpoint"], "glue.amazonaws.com", undefined],
    ["glue-job-create", ["glue:CreateJob", "glue:StartJobRun"], "glue.amazonaws.com", undefined],
    ["cloudformation-create-stack", ["cloudformation:CreateStack"], "cloudformation.amazonaws.com", undefined],
    [
      "datapipeline-create",
      ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"],
      "datapipeline.amazonaws.com",
      undefined,
    ],
    ["codebuild-create-project", ["codebuild:CreateProject", "codebuild:StartBuild"], "codebuild.amazonaws.com", undefined],
    ["sagemaker-create", ["sagemaker:CreateTrainingJob"], "sagemaker.amazonaws.com", undefined],
    ["ecs-task-passrole", ["ecs:RegisterTaskDefinition", "ecs:RunTask"], "ecs-tasks.amazonaws.com", undefined],
    ["apprunner-create-service", ["apprunner:CreateService"], "tasks.apprunner.amazonaws.com", undefined],
  ];
  for (const [id, actions, service, , needsProfile] of cases) {
    it(`${id}: passes an administrator role to ${service}; near misses do not count`, () => {
      const target = adminRole("svc-admin", trusting({ Service: service }), { instanceProfile: !!needsProfile });
      const attacker = role("builder", { policies: [doc(passAny, allow(actions))] });
      const v = verdictOf(attacker, [target]);
      expect(classesOf(v)).toEqual([id, "holds-admin"]);
      expect(v.path[0]).toMatchObject({ to: target.arn });
      expect(v.path[0].actions.map((a) => a.action)).toEqual([...actions, "iam:PassRole"]);
      // PassRole alone, nothing to run the role with.
      expect(verdictOf(role("builder", { policies: [doc(passAny)] }), [target])).toMatchObject({ reachesAdmin: false });
      // All but the creating action.
      if (actions.length > 1) expect(classesOf(verdictOf(role("builder", { policies: [doc(passAny, allow(actions.slice(1)))] }), [target]))).not.toContain(id);
      // The near misses below give no path through this class (StartBuild alone, say, may still reach by another).
      const without = (policies: Record<string, unknown>[], others = [target]) =>
        expect(classesOf(verdictOf(role("builder", { policies }), others))).not.toContain(id);
      // PassRole only for another role.
      without([doc(allow("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/app-*`), allow(actions))]);
      // PassRole only to another service.
      without([doc(allow("iam:PassRole", "*", { Condition: { StringEquals: { "iam:PassedToService": "states.amazonaws.com" } } }), allow(actions))]);
      // The administrator role does not trust the service.
      without([doc(passAny, allow(actions))], [adminRole("svc-admin", trusting({ Service: "states.amazonaws.com" }), { instanceProfile: true })]);
    });
  }

  it("EC2 needs an instance profile for the role", () => {
    const attacker = role("builder", { policies: [doc(passAny, allow("ec2:RunInstances"))] });
    expect(verdictOf(attacker, [adminRole("ec2-admin", trusting({ Service: "ec2.amazonaws.com" }), { instanceProfile: false })])).toMatchObject({
      reachesAdmin: false,
    });
  });

  it("a deny on the administrator role's ARN beats a PassRole on everything", () => {
    const attacker = role("builder", {
      policies: [doc(passAny, allow(["lambda:CreateFunction", "lambda:InvokeFunction"]), deny("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/lambda-admin`))],
    });
    expect(verdictOf(attacker, [lambdaAdmin()])).toMatchObject({ reachesAdmin: false });
  });
});

describe("taking over existing compute", () => {
  const cases: [string, string | string[], string, boolean?][] = [
    ["glue-job-update", ["glue:UpdateJob", "glue:StartJobRun", "iam:PassRole"], "glue.amazonaws.com"],
    ["cloudformation-change-set", ["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"], "cloudformation.amazonaws.com"],
    ["apprunner-update-service", "apprunner:UpdateService", "tasks.apprunner.amazonaws.com"],
    ["ec2-launch-template", ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"], "ec2.amazonaws.com", true],
    ["ec2-user-data", ["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"], "ec2.amazonaws.com", true],
    [
      "sagemaker-lifecycle-config",
      [
        "sagemaker:CreateNotebookInstanceLifecycleConfig",
        "sagemaker:StopNotebookInstance",
        "sagemaker:UpdateNotebookInstance",
        "sagemaker:StartNotebookInstance",
      ],
      "sagemaker.amazonaws.com",
    ],
    ["lambda-update-code", "lambda:UpdateFunctionCode", "lambda.amazonaws.com"],
    ["ssm-command-or-session", "ssm:SendCommand", "ec2.amazonaws.com", true],
    ["ec2-instance-connect", "ec2-instance-connect:SendSSHPublicKey", "ec2.amazonaws.com", true],
    ["glue-dev-endpoint-update", "glue:UpdateDevEndpoint", "glue.amazonaws.com"],
    ["cloudformation-update-stack", "cloudformation:UpdateStack", "cloudformation.amazonaws.com"],
    ["sagemaker-presigned-url", "sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker.amazonaws.com"],
    ["codebuild-start-existing", "codebuild:StartBuild", "codebuild.amazonaws.com"],
    ["ecs-execute-command", "ecs:ExecuteCommand", "ecs-tasks.amazonaws.com"],
  ];
  for (const [id, wanted, service, profile] of cases) {
    const actions = typeof wanted === "string" ? [wanted] : wanted;
    it(`${id}: runs code as an administrator role's compute, saying what must exist; near misses do not count`, () => {
      const target = adminRole("svc-admin", trusting({ Service: service }), { instanceProfile: !!profile });
      const v = verdictOf(role("dev", { policies: [doc(allow(actions))] }), [target]);
      expect(classesOf(v)).toEqual([id, "holds-admin"]);
      expect(v.path[0].needs).toBeTruthy();
      expect(v.level).toBe("admin");
      // Scoped to another account's resources: no way in.
      const svc = actions[0].split(":")[0];
      const elsewhere = `arn:aws:${svc === "ec2-instance-connect" || svc === "ssm" ? "ec2" : svc}:*:${OTHER_ACCOUNT}:*`;
      expect(verdictOf(role("dev", { policies: [doc(allow(actions, elsewhere))] }), [target])).toMatchObject({ reachesAdmin: false });
      // Each action is needed: without any one of them, not through this class.
      if (actions.length > 1)
        for (const missing of actions)
          expect(
            classesOf(verdictOf(role("dev", { policies: [doc(allow(actions.filter((a) => a !== missing)))] }), [target])),
            `${id} without ${missing}`,
          ).not.toContain(id);
      // A deny of one of them in another policy.
      expect(classesOf(verdictOf(role("dev", { policies: [doc(allow(actions)), doc(deny(actions[0]))] }), [target]))).not.toContain(id);
    });
  }
});

describe("the catalogue", () => {
  it("names each class once, with sources, and every action it needs exists in AWS's catalogue", () => {
    expect(new Set(pathClasses.map((c) => c.id)).size).toBe(pathClasses.length);
    for (const c of pathClasses) {
      expect(c.sources.length, c.id).toBeGreaterThan(0);
      for (const alt of c.alternatives) for (const r of alt) expect(deps.catalogue.canonical(r.action), `${c.id}: ${r.action}`).toBeDefined();
    }
  });
});

describe("open trust policies", () => {
  it("flags a role any AWS principal may assume, not one restricted to the organisation", async () => {
    const { openTrustPolicies } = await import("./analyze");
    const open = role("public", { trust: trusting("*") });
    const org = role("org", { trust: trusting({ AWS: "*" }, { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } }) });
    const ext = role("vendor", { trust: trusting({ AWS: "*" }, { Condition: { StringEquals: { "sts:ExternalId": "x" } } }) });
    expect(openTrustPolicies(model([open, org, ext])).map((o) => [o.roleArn, o.conditions])).toEqual([
      [open.arn, []],
      [ext.arn, ["sts:ExternalId"]],
    ]);
  });
});
