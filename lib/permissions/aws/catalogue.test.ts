import { beforeAll, describe, expect, test } from "vitest";
import {
  type ActionCatalogue,
  OBSERVABILITY_TABLES,
  actionMatches,
  createCatalogue,
  effectiveActions,
  loadCatalogue,
  normalizePolicyDocument,
  observability,
} from "./catalogue";

// A small catalogue keeps expectations exact; the real one checks we read AWS's data right.
const small = createCatalogue([
  "s3:GetObject",
  "s3:GetObjectTagging",
  "s3:GetBucketTagging",
  "s3:PutObject",
  "s3:PutObjectTagging",
  "s3:PutBucketTagging",
  "s3:DeleteObject",
  "s3:ListBucket",
  "ec2:DescribeInstances",
  "ec2:DescribeImages",
  "ec2:RunInstances",
  "iam:PassRole",
  "iam:CreateUser",
  "iam:ListRoles",
  "sts:AssumeRole",
]);

let real: ActionCatalogue;
beforeAll(async () => {
  real = await loadCatalogue();
});

describe("loadCatalogue", () => {
  test("reads AWS's catalogue with AWS casing and memoises it", async () => {
    expect(real.actions.length).toBeGreaterThan(15_000);
    expect(real.services.has("s3")).toBe(true);
    expect(real.canonical("S3:GETOBJECT")).toBe("s3:GetObject");
    expect(real.canonical("ecr:listimages")).toBe("ecr:ListImages");
    expect(real.canonical("s3:NoSuchAction")).toBeUndefined();
    expect(real.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await loadCatalogue()).toBe(real);
  });

  test("loads fast enough for a CLI once cached and is sorted", async () => {
    const started = performance.now();
    await loadCatalogue();
    expect(performance.now() - started).toBeLessThan(50);
    const sorted = [...real.actions].sort();
    expect(real.actions).toEqual(sorted);
  });
});

describe("expand", () => {
  test("a trailing wildcard matches the action prefix", () => {
    expect(small.expand("s3:Get*")).toEqual(["s3:GetBucketTagging", "s3:GetObject", "s3:GetObjectTagging"]);
    const gets = real.expand("s3:Get*");
    expect(gets).toContain("s3:GetObject");
    expect(gets).toContain("s3:GetBucketPolicy");
    expect(gets.every((a) => a.startsWith("s3:Get"))).toBe(true);
  });

  test("a leading wildcard matches the action suffix", () => {
    expect(small.expand("s3:*Tagging")).toEqual(["s3:GetBucketTagging", "s3:GetObjectTagging", "s3:PutBucketTagging", "s3:PutObjectTagging"]);
    expect(real.expand("s3:*Tagging")).toEqual(expect.arrayContaining(["s3:PutObjectTagging", "s3:DeleteObjectTagging", "s3:GetBucketTagging"]));
  });

  test("? matches exactly one character", () => {
    expect(small.expand("ec2:Describe?nstances")).toEqual(["ec2:DescribeInstances"]);
    expect(small.expand("ec2:Describe?Instances")).toEqual([]);
    expect(small.expand("s3:?etObject")).toEqual(["s3:GetObject"]);
  });

  test("matching is case-insensitive and returns AWS casing", () => {
    expect(small.expand("S3:getobject")).toEqual(["s3:GetObject"]);
    expect(small.expand("EC2:describe*")).toEqual(["ec2:DescribeImages", "ec2:DescribeInstances"]);
    expect(real.expand("ECR:LISTIMAGES")).toEqual(["ecr:ListImages"]);
  });

  test("* alone is every action; service:* is every action of the service", () => {
    expect(small.expand("*")).toEqual([...small.actions]);
    expect(real.expand("*")).toHaveLength(real.actions.length);
    expect(small.expand("iam:*")).toEqual(["iam:CreateUser", "iam:ListRoles", "iam:PassRole"]);
  });

  test("wildcards in the service prefix, unknown services and malformed patterns match nothing", () => {
    expect(small.expand("s*:GetObject")).toEqual([]);
    expect(small.expand("nosuchservice:*")).toEqual([]);
    expect(small.expand("GetObject")).toEqual([]);
    expect(small.expand("s3:NoSuchAction")).toEqual([]);
  });

  test("regex metacharacters in patterns are literal", () => {
    expect(small.expand("s3:Get.bject")).toEqual([]);
    expect(small.expand("s3:(Get)*")).toEqual([]);
  });

  test("returns a fresh array each time", () => {
    const a = small.expand("s3:*");
    a.length = 0;
    expect(small.expand("s3:*")).toHaveLength(8);
  });

  test("actionMatches agrees with expand", () => {
    expect(actionMatches("s3:get*", "s3:GetObject")).toBe(true);
    expect(actionMatches("s3:Put*", "s3:GetObject")).toBe(false);
    expect(actionMatches("*", "anything:AtAll")).toBe(true);
    expect(actionMatches("s*:GetObject", "s3:GetObject")).toBe(false);
    expect(actionMatches("S3:GETOBJECT", "s3:GetObject")).toBe(true);
  });

  test("createCatalogue rejects names without a service prefix", () => {
    expect(() => createCatalogue(["GetObject"])).toThrow(/service:Action/);
  });
});

describe("normalizePolicyDocument", () => {
  const doc = {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" },
      { Effect: "Deny", NotAction: ["iam:*", "sts:*"], Resource: "*", Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } } },
    ],
  };

  test("accepts an object with a Statement array, string or array actions", () => {
    // The summary reconciliation reads, and the statement as written for the escalation analysis.
    expect(normalizePolicyDocument(doc)).toEqual([
      { sid: "Read", effect: "Allow", actions: ["s3:GetObject"], conditional: false, allResources: false, resources: ["arn:aws:s3:::reports/*"] },
      {
        effect: "Deny",
        notActions: ["iam:*", "sts:*"],
        conditional: true,
        allResources: true,
        resources: ["*"],
        condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1"] } },
      },
    ]);
  });

  test("accepts a single Statement object", () => {
    expect(normalizePolicyDocument({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } })).toEqual([
      { effect: "Allow", actions: ["*"], conditional: false, allResources: true, resources: ["*"] },
    ]);
  });

  test("decodes the URL-encoded JSON AWS returns in authorization details", () => {
    const encoded = encodeURIComponent(JSON.stringify(doc));
    expect(encoded.startsWith("%7B%22Version")).toBe(true);
    expect(normalizePolicyDocument(encoded)).toEqual(normalizePolicyDocument(doc));
  });

  test("accepts plain JSON text, even with a % inside", () => {
    const text = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/100%/*" }] });
    expect(normalizePolicyDocument(text)[0].actions).toEqual(["s3:GetObject"]);
  });

  test("NotResource and specific resources are not all resources; absent Resource (trust policies) is", () => {
    const [a, b] = normalizePolicyDocument({
      Statement: [
        { Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::keep/*" },
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    expect(a.allResources).toBe(false);
    expect(b.allResources).toBe(true);
  });

  test("an empty Condition is not a condition", () => {
    expect(normalizePolicyDocument({ Statement: { Effect: "Deny", Action: "*", Resource: "*", Condition: {} } })[0].conditional).toBe(false);
  });

  test.each([
    [null, /expected a JSON object/],
    ["%E0%A4%A", /URL-encoded/],
    ["%7Bnot json", /not valid JSON/],
    [{ Version: "2012-10-17" }, /missing Statement/],
    [{ Statement: ["x"] }, /Statement\[0\] is not an object/],
    [{ Statement: { Effect: "Permit", Action: "*" } }, /Effect must be "Allow" or "Deny"/],
    [{ Statement: { Effect: "Allow" } }, /exactly one of Action or NotAction/],
    [{ Statement: { Effect: "Allow", Action: "*", NotAction: "iam:*" } }, /exactly one of Action or NotAction/],
    [{ Statement: { Effect: "Allow", Action: [] } }, /Action is empty/],
    [{ Statement: { Effect: "Allow", Action: [1] } }, /string or an array of strings/],
  ])("throws a clear error on malformed input %#", (input, message) => {
    expect(() => normalizePolicyDocument(input)).toThrow(message);
  });

  test("names the document in errors", () => {
    expect(() => normalizePolicyDocument({ Statement: {} }, "Managed policy X")).toThrow(/^Managed policy X: Statement\[0\]/);
  });
});

describe("effectiveActions", () => {
  const allow = (actions: string[], extra: object = {}) => ({ effect: "Allow" as const, actions, conditional: false, allResources: true, ...extra });
  const deny = (actions: string[], extra: object = {}) => ({ effect: "Deny" as const, actions, conditional: false, allResources: true, ...extra });

  test("expands Allow patterns and reports the raw patterns", () => {
    const r = effectiveActions(small, [allow(["s3:Get*", "ec2:DescribeInstances"]), allow(["S3:GET*"])]);
    expect([...r.allowed].sort()).toEqual(["ec2:DescribeInstances", "s3:GetBucketTagging", "s3:GetObject", "s3:GetObjectTagging"]);
    expect(r.patterns).toEqual(["s3:Get*", "ec2:DescribeInstances"]);
    expect(r.notActionPatterns).toEqual([]);
  });

  test("a * policy allows everything and stores one pattern", () => {
    const r = effectiveActions(real, [allow(["*"])]);
    expect(r.allowed.size).toBe(real.actions.length);
    expect(r.patterns).toEqual(["*"]);
  });

  test("NotAction Allow grants every action except the matched ones", () => {
    const r = effectiveActions(small, [{ effect: "Allow", notActions: ["iam:*", "sts:*"], conditional: false, allResources: true }]);
    expect([...r.allowed].sort()).toEqual([...small.actions].filter((a) => !a.startsWith("iam:") && !a.startsWith("sts:")));
    expect(r.patterns).toEqual([]);
    expect(r.notActionPatterns).toEqual([["iam:*", "sts:*"]]);
  });

  test("an unconditional Deny removes actions; a conditional one does not", () => {
    const r = effectiveActions(small, [allow(["s3:*"]), deny(["s3:Delete*"]), deny(["s3:Put*"], { conditional: true })]);
    expect(r.allowed.has("s3:DeleteObject")).toBe(false);
    expect(r.allowed.has("s3:PutObject")).toBe(true);
    expect(r.allowed.has("s3:GetObject")).toBe(true);
  });

  test("a Deny on specific resources does not take the action away everywhere", () => {
    const r = effectiveActions(small, [allow(["s3:*"]), deny(["s3:DeleteObject"], { allResources: false })]);
    expect(r.allowed.has("s3:DeleteObject")).toBe(true);
  });

  test("Deny * removes everything; Deny matching is case-insensitive", () => {
    expect(effectiveActions(small, [allow(["*"]), deny(["*"])]).allowed.size).toBe(0);
    expect(effectiveActions(small, [allow(["s3:GetObject"]), deny(["S3:GETOBJECT"])]).allowed.size).toBe(0);
  });

  test("Deny with NotAction denies everything except the listed actions", () => {
    const r = effectiveActions(small, [allow(["*"]), { effect: "Deny", notActions: ["s3:Get*", "sts:AssumeRole"], conditional: false, allResources: true }]);
    expect([...r.allowed].sort()).toEqual(["s3:GetBucketTagging", "s3:GetObject", "s3:GetObjectTagging", "sts:AssumeRole"]);
  });

  test("a conditional NotAction Deny (e.g. region lock) removes nothing", () => {
    const r = effectiveActions(small, [allow(["*"]), { effect: "Deny", notActions: ["iam:*"], conditional: true, allResources: true }]);
    expect(r.allowed.size).toBe(small.actions.length);
  });

  test("a literal action the catalogue doesn't know is kept as written, and can be denied", () => {
    const r = effectiveActions(small, [allow(["newservice:DoThing", "s3:Get*"])]);
    expect(r.allowed.has("newservice:DoThing")).toBe(true);
    expect(effectiveActions(small, [allow(["newservice:DoThing"]), deny(["NewService:*"])]).allowed.size).toBe(0);
  });

  test("works on a real policy: PowerUserAccess", () => {
    const statements = normalizePolicyDocument({
      Statement: [
        { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
        { Effect: "Allow", Action: ["iam:CreateServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"], Resource: "*" },
      ],
    });
    const r = effectiveActions(real, statements);
    expect(r.allowed.has("ec2:RunInstances")).toBe(true);
    expect(r.allowed.has("iam:ListRoles")).toBe(true);
    expect(r.allowed.has("iam:CreateUser")).toBe(false);
    expect(r.allowed.has("organizations:LeaveOrganization")).toBe(false);
    expect(r.patterns).toEqual(["iam:CreateServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"]);
  });
});

describe("observability", () => {
  const none = new Set<string>();

  test("management actions are observable", () => {
    expect(observability("ec2:RunInstances", none)).toBe("observable");
    expect(observability("s3:ListAllMyBuckets", none)).toBe("observable");
    expect(observability("secretsmanager:GetSecretValue", none)).toBe("observable");
    expect(observability("s3:GetBucketPolicy", none)).toBe("observable");
  });

  test("data-plane actions are observable only when the service's data events were seen", () => {
    for (const a of ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectAcl", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload", "s3:RestoreObject"]) {
      expect(observability(a, none)).toBe("data-event");
      expect(observability(a, new Set(["s3"]))).toBe("observable");
    }
    expect(observability("lambda:InvokeFunction", new Set(["s3"]))).toBe("data-event");
    expect(observability("lambda:InvokeFunction", new Set(["lambda"]))).toBe("observable");
    expect(observability("dynamodb:PartiQLSelect", none)).toBe("data-event");
    expect(observability("dynamodb:CreateTable", none)).toBe("observable");
    expect(observability("sqs:SendMessage", none)).toBe("data-event");
    expect(observability("sns:Publish", none)).toBe("data-event");
    expect(observability("kinesis:PutRecords", none)).toBe("data-event");
    expect(observability("s3-object-lambda:GetObject", none)).toBe("data-event");
    expect(observability("S3:GETOBJECT", none)).toBe("data-event");
  });

  test("permission-only actions are never observable", () => {
    expect(observability("iam:PassRole", new Set(["iam"]))).toBe("permission-only");
    expect(observability("sts:TagSession", none)).toBe("permission-only");
    expect(observability("rds-db:connect", none)).toBe("permission-only");
  });

  test("every literal action in the tables exists in AWS's catalogue", () => {
    for (const table of [OBSERVABILITY_TABLES.dataEvents, OBSERVABILITY_TABLES.permissionOnly]) {
      for (const [service, names] of Object.entries(table)) {
        expect(real.services.has(service), service).toBe(true);
        for (const name of names) {
          const matches = real.expand(`${service}:${name}`);
          expect(matches.length, `${service}:${name}`).toBeGreaterThan(0);
        }
      }
    }
  });
});
