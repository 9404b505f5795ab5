// The ways one AWS principal can become more than its own policies say, as
// data. A new class is an entry here plus a test with a positive case and a
// near miss (lib/escalation/analyze.test.ts); the analysis reads nothing else.
//
// Sources (each entry names its own):
// - pathfinding.cloud, Datadog's catalogue of AWS privilege-escalation paths
//   (Apache-2.0): https://pathfinding.cloud/paths/<id>
// - Principal Mapper (NCC Group), whose edge rules are re-stated here from its
//   documentation and behaviour, not its code (AGPL-3.0):
//   https://github.com/nccgroup/PMapper/tree/master/principalmapper/graphing
// - Cloudsplaining's privilege-escalation methods (BSD-3-Clause):
//   https://github.com/salesforce/cloudsplaining/blob/master/cloudsplaining/shared/constants.py
// - Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
//   Mitigation": https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/

import { k8sPathClasses } from "./k8s-catalogue";

/** Where a required action must be allowed. */

export type On =
  /** The principal's own ARN (it changes itself). */
  | "self"
  /** A group the user belongs to. */
  | "own-group"
  /** A customer-managed policy attached to the principal or one of its groups (AWS-managed ones cannot be changed). */
  | "own-customer-policy"
  /** The target principal's ARN (the role or user taken over). */
  | "target"
  /** A resource the principal creates and names itself: any ARN within the pattern will do. */
  | { create: string }
  /** An existing resource that runs as the target role; IAM exports do not list them, so the step is conditional. */
  | { existing: string };

export type Requirement = { action: string; on: On; context?: Record<string, string> };

/**
 * What the principal reaches:
 * - admin: it can give itself any permission;
 * - role: a role (every role the requirements allow, filtered by `trusts`);
 * - user: another IAM user, whose credentials it can mint.
 */
export type Reach = { kind: "admin" } | { kind: "role"; trusts?: string; instanceProfile?: boolean; assume?: boolean } | { kind: "user" };

export type PathClass = {
  id: string;
  title: string;
  category: "self-escalation" | "principal-access" | "new-passrole" | "existing-compute" | "assume-role";
  /** Each alternative is a set of requirements that must all hold. */
  alternatives: Requirement[][];
  reach: Reach;
  /** Added to every alternative: pass the target role to the service that will run as it. */
  passRole?: string;
  /** What must exist beyond IAM for the step to work, said in the step (and making it conditional). */
  needs?: string;
  sources: string[];
};

const PF = (id: string) => `https://pathfinding.cloud/paths/${id}`;
const PMAPPER = (file: string) => `https://github.com/nccgroup/PMapper/blob/master/principalmapper/graphing/${file}`;
const CS = "https://github.com/salesforce/cloudsplaining/blob/master/cloudsplaining/shared/constants.py";
const RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/";

const fn = (service: string, type: string) => ({ create: `arn:aws:${service}:*:{account}:${type}` });
const ADMIN_POLICY = { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" };

export const pathClasses: PathClass[] = [
  // ── Changing one's own permissions ───────────────────────────────────────
  {
    id: "put-user-policy-self",
    title: "writes an inline policy on itself",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:PutUserPolicy", on: "self" }]],
    sources: [PF("iam-007"), CS, RHINO],
  },
  {
    id: "put-role-policy-self",
    title: "writes an inline policy on its own role",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:PutRolePolicy", on: "self" }]],
    sources: [PF("iam-005"), PMAPPER("gathering.py"), CS],
  },
  {
    id: "attach-user-policy-self",
    title: "attaches an administrator policy to itself",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:AttachUserPolicy", on: "self", context: ADMIN_POLICY }]],
    sources: [PF("iam-008"), CS, RHINO],
  },
  {
    id: "attach-role-policy-self",
    title: "attaches an administrator policy to its own role",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:AttachRolePolicy", on: "self", context: ADMIN_POLICY }]],
    sources: [PF("iam-009"), PMAPPER("gathering.py"), CS],
  },
  {
    id: "put-group-policy-self",
    title: "writes an inline policy on a group it belongs to",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:PutGroupPolicy", on: "own-group" }]],
    sources: [PF("iam-011"), CS, RHINO],
  },
  {
    id: "attach-group-policy-self",
    title: "attaches an administrator policy to a group it belongs to",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:AttachGroupPolicy", on: "own-group", context: ADMIN_POLICY }]],
    sources: [PF("iam-010"), CS, RHINO],
  },
  {
    id: "create-policy-version",
    title: "writes a new default version of a customer-managed policy it holds",
    category: "self-escalation",
    reach: { kind: "admin" },
    alternatives: [[{ action: "iam:CreatePolicyVersion", on: "own-customer-policy" }]],
    sources: [PF("iam-001"), PMAPPER("gathering.py"), CS, RHINO],
  },

  // ── Taking over another principal ────────────────────────────────────────
  {
    id: "create-access-key",
    title: "creates an access key for another user",
    category: "principal-access",
    reach: { kind: "user" },
    alternatives: [[{ action: "iam:CreateAccessKey", on: "target" }]],
    sources: [PF("iam-002"), PMAPPER("iam_edges.py"), CS, RHINO],
  },
  {
    id: "login-profile",
    title: "sets a console password for another user",
    category: "principal-access",
    reach: { kind: "user" },
    alternatives: [[{ action: "iam:CreateLoginProfile", on: "target" }], [{ action: "iam:UpdateLoginProfile", on: "target" }]],
    sources: [PF("iam-004"), PF("iam-006"), PMAPPER("iam_edges.py"), CS, RHINO],
  },
  {
    id: "update-assume-role-policy",
    title: "rewrites a role's trust policy to admit itself",
    category: "principal-access",
    reach: { kind: "role" },
    alternatives: [[{ action: "iam:UpdateAssumeRolePolicy", on: "target" }]],
    sources: [PF("iam-012"), PMAPPER("iam_edges.py"), CS, RHINO],
  },
  {
    id: "modify-role-then-assume",
    title: "gives a role it may assume an administrator policy, then assumes it",
    category: "principal-access",
    reach: { kind: "role", assume: true },
    alternatives: [[{ action: "iam:AttachRolePolicy", on: "target", context: ADMIN_POLICY }], [{ action: "iam:PutRolePolicy", on: "target" }]],
    sources: [PF("iam-014"), PF("iam-017"), CS],
  },
  {
    id: "assume-role",
    title: "assumes a role that trusts it",
    category: "assume-role",
    reach: { kind: "role", assume: true },
    alternatives: [[]],
    sources: [PF("sts-001"), PMAPPER("sts_edges.py")],
  },

  // ── Passing a role to new compute that runs its code ─────────────────────
  {
    id: "lambda-create-invoke",
    title: "creates a Lambda function running as the role and invokes it",
    category: "new-passrole",
    reach: { kind: "role", trusts: "lambda.amazonaws.com" },
    passRole: "lambda.amazonaws.com",
    alternatives: [
      [
        { action: "lambda:CreateFunction", on: fn("lambda", "function:*") },
        { action: "lambda:InvokeFunction", on: fn("lambda", "function:*") },
      ],
      [
        { action: "lambda:CreateFunction", on: fn("lambda", "function:*") },
        { action: "lambda:AddPermission", on: fn("lambda", "function:*") },
      ],
      [
        { action: "lambda:CreateFunction", on: fn("lambda", "function:*") },
        { action: "lambda:CreateEventSourceMapping", on: { create: "*" } },
      ],
    ],
    sources: [PF("lambda-001"), PF("lambda-006"), PF("lambda-002"), PMAPPER("lambda_edges.py"), CS, RHINO],
  },
  {
    id: "ec2-run-instances",
    title: "launches an EC2 instance with the role's instance profile",
    category: "new-passrole",
    reach: { kind: "role", trusts: "ec2.amazonaws.com", instanceProfile: true },
    passRole: "ec2.amazonaws.com",
    alternatives: [[{ action: "ec2:RunInstances", on: fn("ec2", "instance/*") }], [{ action: "ec2:RequestSpotInstances", on: { create: "*" } }]],
    sources: [PF("ec2-001"), PF("ec2-003"), PMAPPER("ec2_edges.py"), CS, RHINO],
  },
  {
    id: "autoscaling-launch-config",
    title: "creates a launch configuration and Auto Scaling group with the role's instance profile",
    category: "new-passrole",
    reach: { kind: "role", trusts: "ec2.amazonaws.com", instanceProfile: true },
    passRole: "ec2.amazonaws.com",
    alternatives: [
      [
        { action: "autoscaling:CreateLaunchConfiguration", on: { create: "*" } },
        { action: "autoscaling:CreateAutoScalingGroup", on: { create: "*" } },
      ],
    ],
    sources: [PMAPPER("autoscaling_edges.py")],
  },
  {
    id: "glue-dev-endpoint-create",
    title: "creates a Glue development endpoint running as the role",
    category: "new-passrole",
    reach: { kind: "role", trusts: "glue.amazonaws.com" },
    passRole: "glue.amazonaws.com",
    alternatives: [[{ action: "glue:CreateDevEndpoint", on: fn("glue", "devEndpoint/*") }]],
    sources: [PF("glue-001"), CS, RHINO],
  },
  {
    id: "glue-job-create",
    title: "creates and runs a Glue job running as the role",
    category: "new-passrole",
    reach: { kind: "role", trusts: "glue.amazonaws.com" },
    passRole: "glue.amazonaws.com",
    alternatives: [
      [
        { action: "glue:CreateJob", on: fn("glue", "job/*") },
        { action: "glue:StartJobRun", on: fn("glue", "job/*") },
      ],
      [
        { action: "glue:CreateJob", on: fn("glue", "job/*") },
        { action: "glue:CreateTrigger", on: fn("glue", "trigger/*") },
      ],
    ],
    sources: [PF("glue-003"), PF("glue-004"), CS],
  },
  {
    id: "cloudformation-create-stack",
    title: "creates a CloudFormation stack that runs as the role",
    category: "new-passrole",
    reach: { kind: "role", trusts: "cloudformation.amazonaws.com" },
    passRole: "cloudformation.amazonaws.com",
    alternatives: [[{ action: "cloudformation:CreateStack", on: fn("cloudformation", "stack/*") }]],
    sources: [PF("cloudformation-001"), PMAPPER("cloudformation_edges.py"), CS, RHINO],
  },
  {
    id: "datapipeline-create",
    title: "creates and activates a Data Pipeline running as the role",
    category: "new-passrole",
    reach: { kind: "role", trusts: "datapipeline.amazonaws.com" },
    passRole: "datapipeline.amazonaws.com",
    alternatives: [
      [
        { action: "datapipeline:CreatePipeline", on: { create: "*" } },
        { action: "datapipeline:PutPipelineDefinition", on: { create: "*" } },
        { action: "datapipeline:ActivatePipeline", on: { create: "*" } },
      ],
    ],
    sources: [PF("datapipeline-001"), CS, RHINO],
  },
  {
    id: "codebuild-create-project",
    title: "creates a CodeBuild project running as the role and starts a build",
    category: "new-passrole",
    reach: { kind: "role", trusts: "codebuild.amazonaws.com" },
    passRole: "codebuild.amazonaws.com",
    alternatives: [
      [
        { action: "codebuild:CreateProject", on: fn("codebuild", "project/*") },
        { action: "codebuild:StartBuild", on: fn("codebuild", "project/*") },
      ],
      [
        { action: "codebuild:CreateProject", on: fn("codebuild", "project/*") },
        { action: "codebuild:StartBuildBatch", on: fn("codebuild", "project/*") },
      ],
    ],
    sources: [PF("codebuild-001"), PF("codebuild-004"), PMAPPER("codebuild_edges.py"), CS],
  },
  {
    id: "sagemaker-create",
    title: "creates a SageMaker notebook, training or processing job running as the role",
    category: "new-passrole",
    reach: { kind: "role", trusts: "sagemaker.amazonaws.com" },
    passRole: "sagemaker.amazonaws.com",
    alternatives: [
      [{ action: "sagemaker:CreateNotebookInstance", on: fn("sagemaker", "notebook-instance/*") }],
      [{ action: "sagemaker:CreateTrainingJob", on: fn("sagemaker", "training-job/*") }],
      [{ action: "sagemaker:CreateProcessingJob", on: fn("sagemaker", "processing-job/*") }],
    ],
    sources: [PF("sagemaker-001"), PF("sagemaker-002"), PF("sagemaker-003"), PMAPPER("sagemaker_edges.py"), CS, RHINO],
  },
  {
    id: "ecs-task-passrole",
    title: "registers an ECS task definition with the role and runs it",
    category: "new-passrole",
    reach: { kind: "role", trusts: "ecs-tasks.amazonaws.com" },
    passRole: "ecs-tasks.amazonaws.com",
    alternatives: [
      [
        { action: "ecs:RegisterTaskDefinition", on: { create: "*" } },
        { action: "ecs:RunTask", on: fn("ecs", "task-definition/*") },
      ],
      [
        { action: "ecs:RegisterTaskDefinition", on: { create: "*" } },
        { action: "ecs:StartTask", on: fn("ecs", "task-definition/*") },
      ],
      [
        { action: "ecs:RegisterTaskDefinition", on: { create: "*" } },
        { action: "ecs:CreateService", on: fn("ecs", "service/*") },
      ],
    ],
    sources: [PF("ecs-001"), PF("ecs-002"), PF("ecs-003"), CS],
  },
  {
    id: "apprunner-create-service",
    title: "creates an App Runner service running as the role",
    category: "new-passrole",
    reach: { kind: "role", trusts: "tasks.apprunner.amazonaws.com" },
    passRole: "tasks.apprunner.amazonaws.com",
    alternatives: [[{ action: "apprunner:CreateService", on: fn("apprunner", "service/*") }]],
    sources: [PF("apprunner-001"), CS],
  },

  // ── Taking over existing compute that runs as a role ─────────────────────
  {
    id: "lambda-update-code",
    title: "replaces the code of an existing Lambda function running as the role",
    category: "existing-compute",
    reach: { kind: "role", trusts: "lambda.amazonaws.com" },
    alternatives: [[{ action: "lambda:UpdateFunctionCode", on: { existing: "arn:aws:lambda:*:{account}:function:*" } }]],
    needs: "a Lambda function running as the role",
    sources: [PF("lambda-003"), PF("lambda-004"), PMAPPER("lambda_edges.py"), CS, RHINO],
  },
  {
    id: "ssm-command-or-session",
    title: "runs commands on an SSM-managed EC2 instance with the role's instance profile",
    category: "existing-compute",
    reach: { kind: "role", trusts: "ec2.amazonaws.com", instanceProfile: true },
    alternatives: [
      [{ action: "ssm:SendCommand", on: { existing: "arn:aws:ec2:*:{account}:instance/*" } }],
      [{ action: "ssm:StartSession", on: { existing: "arn:aws:ec2:*:{account}:instance/*" } }],
    ],
    needs: "a running, SSM-managed EC2 instance with the role's instance profile",
    sources: [PF("ssm-001"), PF("ssm-002"), PMAPPER("ssm_edges.py")],
  },
  {
    id: "ec2-instance-connect",
    title: "pushes an SSH key to an EC2 instance with the role's instance profile and logs in",
    category: "existing-compute",
    reach: { kind: "role", trusts: "ec2.amazonaws.com", instanceProfile: true },
    alternatives: [[{ action: "ec2-instance-connect:SendSSHPublicKey", on: { existing: "arn:aws:ec2:*:{account}:instance/*" } }]],
    needs: "a reachable EC2 instance with the role's instance profile that accepts EC2 Instance Connect",
    sources: [PF("ec2instanceconnect-003"), CS],
  },
  {
    id: "glue-dev-endpoint-update",
    title: "adds its SSH key to an existing Glue development endpoint running as the role",
    category: "existing-compute",
    reach: { kind: "role", trusts: "glue.amazonaws.com" },
    alternatives: [[{ action: "glue:UpdateDevEndpoint", on: { existing: "arn:aws:glue:*:{account}:devEndpoint/*" } }]],
    needs: "a Glue development endpoint running as the role",
    sources: [PF("glue-002"), CS, RHINO],
  },
  {
    id: "cloudformation-update-stack",
    title: "updates the template of an existing CloudFormation stack whose service role it is",
    category: "existing-compute",
    reach: { kind: "role", trusts: "cloudformation.amazonaws.com" },
    alternatives: [[{ action: "cloudformation:UpdateStack", on: { existing: "arn:aws:cloudformation:*:{account}:stack/*" } }]],
    needs: "a CloudFormation stack with the role as its service role",
    sources: [PF("cloudformation-002"), PMAPPER("cloudformation_edges.py")],
  },
  {
    id: "sagemaker-presigned-url",
    title: "opens an existing SageMaker notebook running as the role",
    category: "existing-compute",
    reach: { kind: "role", trusts: "sagemaker.amazonaws.com" },
    alternatives: [[{ action: "sagemaker:CreatePresignedNotebookInstanceUrl", on: { existing: "arn:aws:sagemaker:*:{account}:notebook-instance/*" } }]],
    needs: "a SageMaker notebook instance in service, running as the role",
    sources: [PF("sagemaker-004"), CS, RHINO],
  },
  {
    id: "codebuild-start-existing",
    title: "starts a build of an existing CodeBuild project with its own buildspec",
    category: "existing-compute",
    reach: { kind: "role", trusts: "codebuild.amazonaws.com" },
    alternatives: [
      [{ action: "codebuild:StartBuild", on: { existing: "arn:aws:codebuild:*:{account}:project/*" } }],
      [{ action: "codebuild:StartBuildBatch", on: { existing: "arn:aws:codebuild:*:{account}:project/*" } }],
    ],
    needs: "a CodeBuild project with the role as its service role",
    sources: [PF("codebuild-002"), PF("codebuild-003"), PMAPPER("codebuild_edges.py")],
  },
  {
    id: "glue-job-update",
    title: "points an existing Glue job at the role with its own script and runs it",
    category: "existing-compute",
    reach: { kind: "role", trusts: "glue.amazonaws.com" },
    passRole: "glue.amazonaws.com",
    alternatives: [
      [
        { action: "glue:UpdateJob", on: { existing: "arn:aws:glue:*:{account}:job/*" } },
        { action: "glue:StartJobRun", on: { existing: "arn:aws:glue:*:{account}:job/*" } },
      ],
      [
        { action: "glue:UpdateJob", on: { existing: "arn:aws:glue:*:{account}:job/*" } },
        { action: "glue:CreateTrigger", on: fn("glue", "trigger/*") },
      ],
    ],
    needs: "an existing Glue job to rewrite",
    sources: [PF("glue-005"), PF("glue-006")],
  },
  {
    id: "cloudformation-change-set",
    title: "creates and executes a change set on an existing CloudFormation stack whose service role it is",
    category: "existing-compute",
    reach: { kind: "role", trusts: "cloudformation.amazonaws.com" },
    alternatives: [
      [
        { action: "cloudformation:CreateChangeSet", on: { existing: "arn:aws:cloudformation:*:{account}:stack/*" } },
        { action: "cloudformation:ExecuteChangeSet", on: { existing: "arn:aws:cloudformation:*:{account}:stack/*" } },
      ],
    ],
    needs: "a CloudFormation stack with the role as its service role",
    sources: [PF("cloudformation-005")],
  },
  {
    id: "apprunner-update-service",
    title: "replaces the code or image of an existing App Runner service running as the role",
    category: "existing-compute",
    reach: { kind: "role", trusts: "tasks.apprunner.amazonaws.com" },
    alternatives: [[{ action: "apprunner:UpdateService", on: { existing: "arn:aws:apprunner:*:{account}:service/*" } }]],
    needs: "an App Runner service whose instance role is the role",
    sources: [PF("apprunner-002")],
  },
  {
    id: "ec2-launch-template",
    title: "writes a new default version of an existing launch template with its own user data",
    category: "existing-compute",
    reach: { kind: "role", trusts: "ec2.amazonaws.com", instanceProfile: true },
    alternatives: [
      [
        { action: "ec2:CreateLaunchTemplateVersion", on: { existing: "arn:aws:ec2:*:{account}:launch-template/*" } },
        { action: "ec2:ModifyLaunchTemplate", on: { existing: "arn:aws:ec2:*:{account}:launch-template/*" } },
      ],
    ],
    needs: "an Auto Scaling group or fleet launching from the template with the role's instance profile",
    sources: [PF("ec2-004")],
  },
  {
    id: "ec2-user-data",
    title: "rewrites an instance's user data and restarts it",
    category: "existing-compute",
    reach: { kind: "role", trusts: "ec2.amazonaws.com", instanceProfile: true },
    alternatives: [
      [
        { action: "ec2:ModifyInstanceAttribute", on: { existing: "arn:aws:ec2:*:{account}:instance/*" } },
        { action: "ec2:StopInstances", on: { existing: "arn:aws:ec2:*:{account}:instance/*" } },
        { action: "ec2:StartInstances", on: { existing: "arn:aws:ec2:*:{account}:instance/*" } },
      ],
    ],
    needs: "an EC2 instance with the role's instance profile",
    sources: [PF("ec2-002")],
  },
  {
    id: "sagemaker-lifecycle-config",
    title: "gives an existing SageMaker notebook its own start-up script and restarts it",
    category: "existing-compute",
    reach: { kind: "role", trusts: "sagemaker.amazonaws.com" },
    alternatives: [
      [
        { action: "sagemaker:CreateNotebookInstanceLifecycleConfig", on: fn("sagemaker", "notebook-instance-lifecycle-config/*") },
        { action: "sagemaker:StopNotebookInstance", on: { existing: "arn:aws:sagemaker:*:{account}:notebook-instance/*" } },
        { action: "sagemaker:UpdateNotebookInstance", on: { existing: "arn:aws:sagemaker:*:{account}:notebook-instance/*" } },
        { action: "sagemaker:StartNotebookInstance", on: { existing: "arn:aws:sagemaker:*:{account}:notebook-instance/*" } },
      ],
    ],
    needs: "a SageMaker notebook instance running as the role",
    sources: [PF("sagemaker-005")],
  },
  {
    id: "ecs-execute-command",
    title: "opens a shell in a running ECS task with the role",
    category: "existing-compute",
    reach: { kind: "role", trusts: "ecs-tasks.amazonaws.com" },
    alternatives: [[{ action: "ecs:ExecuteCommand", on: { existing: "arn:aws:ecs:*:{account}:task/*" } }]],
    needs: "a running ECS task with the role and ECS Exec enabled",
    sources: [CS],
  },
];

export type PathClassId = (typeof pathClasses)[number]["id"];
/** Every class by id, AWS and Kubernetes: what a stored step's sources and a filter's choices are read from. */
export const pathClassById = new Map<string, { id: string; title: string; category: string; sources: string[] }>([
  ...pathClasses.map((c) => [c.id, c] as const),
  ...k8sPathClasses.map((c) => [c.id, { ...c, category: "kubernetes rbac" }] as const),
]);

const categoryLabels: Record<PathClass["category"], string> = {
  "self-escalation": "Changes its own permissions",
  "principal-access": "Takes over another principal",
  "new-passrole": "Passes a role to new compute",
  "existing-compute": "Uses compute already running as a role",
  "assume-role": "Assumes a role",
};
const KUBERNETES = "Kubernetes RBAC";

/** The classes for a filter, by category, each by its title (capitalised): "Assumes a role that trusts it". */
export function pathClassChoices(): { value: string; label: string; group: string }[] {
  const label = (title: string) => title[0].toUpperCase() + title.slice(1);
  return [
    ...Object.keys(categoryLabels).flatMap((category) =>
      pathClasses.filter((c) => c.category === category).map((c) => ({ value: c.id, label: label(c.title), group: categoryLabels[c.category] })),
    ),
    ...k8sPathClasses.map((c) => ({ value: c.id, label: label(c.title), group: KUBERNETES })),
  ];
}
