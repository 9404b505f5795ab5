// CloudTrail record → the IAM action it exercised.
//
// For most services the IAM action is `<service prefix>:<eventName>`. The
// tables below hold the exceptions; every target they name is checked against
// AWS's catalogue by event-names.test.ts, so a typo cannot slip in.

/**
 * Event-source hosts (without ".amazonaws.com") whose IAM prefix is not the
 * host itself. Dotted hosts not listed fall back to their last label
 * ("runtime.foo" → "foo"), which is right for most regional data-plane hosts.
 */
const SOURCE_PREFIX: Readonly<Record<string, string>> = {
  monitoring: "cloudwatch",
  email: "ses",
  tagging: "tag", // Resource Groups Tagging API
  cloudcontrolapi: "cloudformation", // Cloud Control API actions are cloudformation:CreateResource, …
  appconfigdata: "appconfig", // StartConfigurationSession / GetLatestConfiguration
  "streams.dynamodb": "dynamodb",
  "models.lex": "lex",
  "runtime.lex": "lex",
  "runtime.sagemaker": "sagemaker",
  "metering-marketplace": "aws-marketplace",
  "entitlement.marketplace": "aws-marketplace",
  "catalog.marketplace": "aws-marketplace",
};

/**
 * Events whose name is not the IAM action. Values are full actions so a
 * rename may also change service (none does today) and read as AWS spells them.
 */
const ACTION_FOR_EVENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  s3: {
    ListObjects: "s3:ListBucket",
    ListObjectsV2: "s3:ListBucket",
    HeadBucket: "s3:ListBucket",
    ListBuckets: "s3:ListAllMyBuckets",
    ListObjectVersions: "s3:ListBucketVersions",
    ListMultipartUploads: "s3:ListBucketMultipartUploads",
    ListParts: "s3:ListMultipartUploadParts",
    HeadObject: "s3:GetObject",
    SelectObjectContent: "s3:GetObject",
    DeleteObjects: "s3:DeleteObject",
    CopyObject: "s3:PutObject",
    UploadPart: "s3:PutObject",
    UploadPartCopy: "s3:PutObject",
    CreateMultipartUpload: "s3:PutObject",
    CompleteMultipartUpload: "s3:PutObject",
    GetBucketEncryption: "s3:GetEncryptionConfiguration",
    PutBucketEncryption: "s3:PutEncryptionConfiguration",
    DeleteBucketEncryption: "s3:PutEncryptionConfiguration",
    GetBucketLifecycle: "s3:GetLifecycleConfiguration",
    GetBucketLifecycleConfiguration: "s3:GetLifecycleConfiguration",
    PutBucketLifecycle: "s3:PutLifecycleConfiguration",
    PutBucketLifecycleConfiguration: "s3:PutLifecycleConfiguration",
    DeleteBucketLifecycle: "s3:PutLifecycleConfiguration",
    GetBucketReplication: "s3:GetReplicationConfiguration",
    PutBucketReplication: "s3:PutReplicationConfiguration",
    DeleteBucketReplication: "s3:PutReplicationConfiguration",
    GetBucketCors: "s3:GetBucketCORS",
    PutBucketCors: "s3:PutBucketCORS",
    DeleteBucketCors: "s3:PutBucketCORS",
    DeleteBucketTagging: "s3:PutBucketTagging",
    GetBucketNotificationConfiguration: "s3:GetBucketNotification",
    PutBucketNotificationConfiguration: "s3:PutBucketNotification",
    GetBucketAnalyticsConfiguration: "s3:GetAnalyticsConfiguration",
    ListBucketAnalyticsConfigurations: "s3:GetAnalyticsConfiguration",
    PutBucketAnalyticsConfiguration: "s3:PutAnalyticsConfiguration",
    DeleteBucketAnalyticsConfiguration: "s3:PutAnalyticsConfiguration",
    GetBucketInventoryConfiguration: "s3:GetInventoryConfiguration",
    ListBucketInventoryConfigurations: "s3:GetInventoryConfiguration",
    PutBucketInventoryConfiguration: "s3:PutInventoryConfiguration",
    DeleteBucketInventoryConfiguration: "s3:PutInventoryConfiguration",
    GetBucketMetricsConfiguration: "s3:GetMetricsConfiguration",
    ListBucketMetricsConfigurations: "s3:GetMetricsConfiguration",
    PutBucketMetricsConfiguration: "s3:PutMetricsConfiguration",
    DeleteBucketMetricsConfiguration: "s3:PutMetricsConfiguration",
    GetBucketIntelligentTieringConfiguration: "s3:GetIntelligentTieringConfiguration",
    ListBucketIntelligentTieringConfigurations: "s3:GetIntelligentTieringConfiguration",
    PutBucketIntelligentTieringConfiguration: "s3:PutIntelligentTieringConfiguration",
    DeleteBucketIntelligentTieringConfiguration: "s3:PutIntelligentTieringConfiguration",
    DeleteBucketOwnershipControls: "s3:PutBucketOwnershipControls",
    GetPublicAccessBlock: "s3:GetBucketPublicAccessBlock",
    PutPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
    DeletePublicAccessBlock: "s3:PutBucketPublicAccessBlock",
    DeleteBucketPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
    DeleteAccountPublicAccessBlock: "s3:PutAccountPublicAccessBlock",
    GetObjectLockConfiguration: "s3:GetBucketObjectLockConfiguration",
    PutObjectLockConfiguration: "s3:PutBucketObjectLockConfiguration",
    GetBucketAccelerateConfiguration: "s3:GetAccelerateConfiguration",
    PutBucketAccelerateConfiguration: "s3:PutAccelerateConfiguration",
  },
  lambda: {
    Invoke: "lambda:InvokeFunction",
    InvokeWithResponseStream: "lambda:InvokeFunction",
  },
  dynamodb: {
    // TransactGetItems is authorized as GetItem on each item. TransactWriteItems,
    // ExecuteStatement, BatchExecuteStatement and ExecuteTransaction depend on the
    // request body (Put/Update/Delete, PartiQL verb), so they stay unmapped.
    TransactGetItems: "dynamodb:GetItem",
  },
  sqs: {
    SendMessageBatch: "sqs:SendMessage",
    DeleteMessageBatch: "sqs:DeleteMessage",
    ChangeMessageVisibilityBatch: "sqs:ChangeMessageVisibility",
  },
  sns: {
    PublishBatch: "sns:Publish",
  },
};

/**
 * Events authorized by more than their main action: each listed action is
 * exercised too, on another resource. A copy reads its source (s3:GetObject)
 * as well as writing its target (s3:PutObject, the main action above);
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html.
 */
const ALSO_AUTHORIZED_BY: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  s3: {
    CopyObject: ["s3:GetObject"],
    UploadPartCopy: ["s3:GetObject"],
  },
};

/**
 * Events that exercise no IAM permission, so they are not usage of any grant.
 * GetCallerIdentity and GetSessionToken are documented by AWS as needing no
 * permission; the sign-in events are console authentication, not API calls.
 */
const NO_PERMISSION: Readonly<Record<string, ReadonlySet<string>>> = {
  sts: new Set(["GetCallerIdentity", "GetSessionToken"]),
  signin: new Set(["ConsoleLogin", "CheckMfa", "SwitchRole", "ExitRole", "RenewRole", "UserAuthentication", "CredentialChallenge", "CredentialVerification"]),
};

/**
 * API Gateway's control plane is authorized by HTTP verb (apigateway:GET,
 * POST, PUT, PATCH, DELETE) while CloudTrail names the operation
 * (GetRestApis, CreateDeployment). Operation-name prefix → verb; exceptions first.
 */
const APIGATEWAY_VERB_EXCEPTIONS: Readonly<Record<string, string>> = {
  ImportDocumentationParts: "PUT",
  ImportApi: "PUT",
  ReimportApi: "PUT",
  PutRestApi: "PUT",
};
const APIGATEWAY_VERB_PREFIXES: readonly [string, string][] = [
  ["Get", "GET"],
  ["Export", "GET"],
  ["Create", "POST"],
  ["Import", "POST"],
  ["Generate", "POST"],
  ["TestInvoke", "POST"],
  ["Tag", "POST"],
  ["Update", "PATCH"],
  ["Delete", "DELETE"],
  ["Untag", "DELETE"],
  ["Flush", "DELETE"],
  ["Reset", "DELETE"],
  ["Put", "PUT"],
];

// Lambda: UpdateFunctionCode20150331v2, ListFunctions20150331. CloudFront: CreateDistribution2020_05_31.
const VERSION_SUFFIX = /(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$/;

/** Exported for tests that check every mapped prefix and action exists in AWS's catalogue. */
export const EVENT_NAME_TABLES = {
  sourcePrefix: SOURCE_PREFIX,
  actionForEvent: ACTION_FOR_EVENT,
  alsoAuthorizedBy: ALSO_AUTHORIZED_BY,
  noPermission: NO_PERMISSION,
} as const;

const NONE: readonly string[] = [];

/** The actions a CloudTrail record exercises besides its main one (iamActionFor): a copy's read of its source. */
export function additionalActionsFor(eventSource: string, eventName: string): readonly string[] {
  return ALSO_AUTHORIZED_BY[iamPrefixFor(eventSource)]?.[eventName.replace(VERSION_SUFFIX, "") || eventName] ?? NONE;
}

/** The IAM service prefix of a CloudTrail eventSource ("s3.amazonaws.com" → "s3", "monitoring.amazonaws.com" → "cloudwatch"). */
export function iamPrefixFor(eventSource: string): string {
  const host = eventSource.endsWith(".amazonaws.com") ? eventSource.slice(0, -".amazonaws.com".length) : eventSource;
  const mapped = SOURCE_PREFIX[host];
  if (mapped) return mapped;
  const dot = host.lastIndexOf(".");
  return dot >= 0 ? host.slice(dot + 1) : host;
}

function compute(eventSource: string, eventName: string): string | null {
  const prefix = iamPrefixFor(eventSource);
  const name = eventName.replace(VERSION_SUFFIX, "") || eventName;
  if (NO_PERMISSION[prefix]?.has(name)) return null;
  const renamed = ACTION_FOR_EVENT[prefix]?.[name];
  if (renamed) return renamed;
  if (prefix === "apigateway") {
    const verb = APIGATEWAY_VERB_EXCEPTIONS[name] ?? APIGATEWAY_VERB_PREFIXES.find(([p]) => name.startsWith(p))?.[1];
    if (verb) return `apigateway:${verb}`;
  }
  return `${prefix}:${name}`;
}

// eventSource → eventName → action. Two lookups and no string building per record.
const cache = new Map<string, Map<string, string | null>>();
let cached = 0;

/**
 * The IAM action a CloudTrail record exercises, or null when the call needs no
 * IAM permission (the caller skips it rather than counting it as usage).
 * Actions unknown to the catalogue (e.g. dynamodb:TransactWriteItems, whose
 * permission depends on the request) come back as `<prefix>:<eventName>`;
 * callers can check them with ActionCatalogue.canonical().
 */
export function iamActionFor(eventSource: string, eventName: string): string | null {
  const byName = cache.get(eventSource);
  const hit = byName?.get(eventName);
  if (hit !== undefined) return hit;
  if (!eventSource || !eventName) throw new Error("iamActionFor: eventSource and eventName are required");
  const action = compute(eventSource, eventName);
  // Bounded: distinct (source, name) pairs are a few thousand in practice.
  if (++cached > 200_000) {
    cache.clear();
    cached = 0;
  }
  if (byName) byName.set(eventName, action);
  else cache.set(eventSource, new Map([[eventName, action]]));
  return action;
}
