import { beforeAll, describe, expect, test } from "vitest";
import { type ActionCatalogue, loadCatalogue } from "@/lib/permissions/aws/catalogue";
import { EVENT_NAME_TABLES, additionalActionsFor, iamActionFor, iamPrefixFor } from "./event-names";

let catalogue: ActionCatalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue();
});

describe("iamActionFor", () => {
  test("most events are <prefix>:<eventName>", () => {
    expect(iamActionFor("ec2.amazonaws.com", "RunInstances")).toBe("ec2:RunInstances");
    expect(iamActionFor("iam.amazonaws.com", "GetAccountAuthorizationDetails")).toBe("iam:GetAccountAuthorizationDetails");
    expect(iamActionFor("s3.amazonaws.com", "GetBucketPolicyStatus")).toBe("s3:GetBucketPolicyStatus");
    expect(iamActionFor("s3.amazonaws.com", "GetObject")).toBe("s3:GetObject");
    expect(iamActionFor("kms.amazonaws.com", "Decrypt")).toBe("kms:Decrypt");
    expect(iamActionFor("ecr.amazonaws.com", "ListImages")).toBe("ecr:ListImages");
    expect(iamActionFor("sts.amazonaws.com", "AssumeRole")).toBe("sts:AssumeRole");
  });

  test.each([
    ["ListObjects", "s3:ListBucket"],
    ["ListObjectsV2", "s3:ListBucket"],
    ["ListBuckets", "s3:ListAllMyBuckets"],
    ["HeadObject", "s3:GetObject"],
    ["HeadBucket", "s3:ListBucket"],
    ["ListObjectVersions", "s3:ListBucketVersions"],
    ["ListMultipartUploads", "s3:ListBucketMultipartUploads"],
    ["ListParts", "s3:ListMultipartUploadParts"],
    ["DeleteObjects", "s3:DeleteObject"],
    ["CopyObject", "s3:PutObject"],
    ["UploadPart", "s3:PutObject"],
    ["CreateMultipartUpload", "s3:PutObject"],
    ["CompleteMultipartUpload", "s3:PutObject"],
    ["UploadPartCopy", "s3:PutObject"],
    ["SelectObjectContent", "s3:GetObject"],
    ["GetBucketEncryption", "s3:GetEncryptionConfiguration"],
    ["DeleteBucketLifecycle", "s3:PutLifecycleConfiguration"],
    ["GetBucketCors", "s3:GetBucketCORS"],
    ["DeleteBucketTagging", "s3:PutBucketTagging"],
    ["GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    ["GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"],
  ])("S3 %s → %s", (eventName, action) => {
    expect(iamActionFor("s3.amazonaws.com", eventName)).toBe(action);
  });

  test("strips Lambda's API-version suffixes", () => {
    expect(iamActionFor("lambda.amazonaws.com", "UpdateFunctionCode20150331v2")).toBe("lambda:UpdateFunctionCode");
    expect(iamActionFor("lambda.amazonaws.com", "ListFunctions20150331")).toBe("lambda:ListFunctions");
    expect(iamActionFor("lambda.amazonaws.com", "GetFunctionConfiguration20150331v2")).toBe("lambda:GetFunctionConfiguration");
    expect(iamActionFor("lambda.amazonaws.com", "TagResource20170331")).toBe("lambda:TagResource");
    expect(iamActionFor("lambda.amazonaws.com", "PutFunctionConcurrency20171031")).toBe("lambda:PutFunctionConcurrency");
  });

  test("Lambda's Invoke event is lambda:InvokeFunction", () => {
    expect(iamActionFor("lambda.amazonaws.com", "Invoke")).toBe("lambda:InvokeFunction");
    expect(iamActionFor("lambda.amazonaws.com", "InvokeAsync")).toBe("lambda:InvokeAsync");
  });

  test("strips CloudFront's dated suffixes", () => {
    expect(iamActionFor("cloudfront.amazonaws.com", "CreateDistribution2020_05_31")).toBe("cloudfront:CreateDistribution");
    expect(iamActionFor("cloudfront.amazonaws.com", "UpdateDistribution2019_03_26")).toBe("cloudfront:UpdateDistribution");
    expect(iamActionFor("cloudfront.amazonaws.com", "CreateInvalidation2017_03_25")).toBe("cloudfront:CreateInvalidation");
    expect(iamActionFor("cloudfront.amazonaws.com", "ListDistributions")).toBe("cloudfront:ListDistributions");
  });

  test("event sources whose IAM prefix differs", () => {
    expect(iamActionFor("monitoring.amazonaws.com", "PutMetricAlarm")).toBe("cloudwatch:PutMetricAlarm");
    expect(iamActionFor("email.amazonaws.com", "SendEmail")).toBe("ses:SendEmail");
    expect(iamActionFor("tagging.amazonaws.com", "GetResources")).toBe("tag:GetResources");
    expect(iamActionFor("cloudcontrolapi.amazonaws.com", "ListResources")).toBe("cloudformation:ListResources");
    expect(iamActionFor("appconfigdata.amazonaws.com", "StartConfigurationSession")).toBe("appconfig:StartConfigurationSession");
    expect(iamActionFor("streams.dynamodb.amazonaws.com", "GetRecords")).toBe("dynamodb:GetRecords");
    expect(iamActionFor("runtime.lex.amazonaws.com", "RecognizeText")).toBe("lex:RecognizeText");
    expect(iamActionFor("metering-marketplace.amazonaws.com", "MeterUsage")).toBe("aws-marketplace:MeterUsage");
  });

  test("batch calls authorized as their single-item action", () => {
    expect(iamActionFor("sqs.amazonaws.com", "SendMessageBatch")).toBe("sqs:SendMessage");
    expect(iamActionFor("sqs.amazonaws.com", "DeleteMessageBatch")).toBe("sqs:DeleteMessage");
    expect(iamActionFor("sns.amazonaws.com", "PublishBatch")).toBe("sns:Publish");
    expect(iamActionFor("dynamodb.amazonaws.com", "TransactGetItems")).toBe("dynamodb:GetItem");
  });

  test("API Gateway's control plane maps to HTTP-verb actions", () => {
    expect(iamActionFor("apigateway.amazonaws.com", "GetRestApis")).toBe("apigateway:GET");
    expect(iamActionFor("apigateway.amazonaws.com", "CreateDeployment")).toBe("apigateway:POST");
    expect(iamActionFor("apigateway.amazonaws.com", "UpdateStage")).toBe("apigateway:PATCH");
    expect(iamActionFor("apigateway.amazonaws.com", "DeleteRestApi")).toBe("apigateway:DELETE");
    expect(iamActionFor("apigateway.amazonaws.com", "PutMethod")).toBe("apigateway:PUT");
    expect(iamActionFor("apigateway.amazonaws.com", "ImportDocumentationParts")).toBe("apigateway:PUT");
  });

  test("calls that need no IAM permission return null", () => {
    expect(iamActionFor("sts.amazonaws.com", "GetCallerIdentity")).toBeNull();
    expect(iamActionFor("sts.amazonaws.com", "GetSessionToken")).toBeNull();
    expect(iamActionFor("signin.amazonaws.com", "ConsoleLogin")).toBeNull();
    expect(iamActionFor("signin.amazonaws.com", "SwitchRole")).toBeNull();
  });

  test("request-dependent DynamoDB calls stay unmapped, visibly outside the catalogue", () => {
    const action = iamActionFor("dynamodb.amazonaws.com", "TransactWriteItems");
    expect(action).toBe("dynamodb:TransactWriteItems");
    expect(catalogue.canonical(action!)).toBeUndefined();
  });

  test("repeat lookups are served from the cache with the same answer", () => {
    const first = iamActionFor("s3.amazonaws.com", "ListObjectsV2");
    expect(iamActionFor("s3.amazonaws.com", "ListObjectsV2")).toBe(first);
    expect(iamActionFor("sts.amazonaws.com", "GetCallerIdentity")).toBeNull();
  });

  test("rejects empty input", () => {
    expect(() => iamActionFor("", "GetObject")).toThrow(/required/);
  });
});

describe("iamPrefixFor", () => {
  test("strips the host suffix, maps exceptions, falls back to the last label", () => {
    expect(iamPrefixFor("s3.amazonaws.com")).toBe("s3");
    expect(iamPrefixFor("monitoring.amazonaws.com")).toBe("cloudwatch");
    expect(iamPrefixFor("runtime.sagemaker.amazonaws.com")).toBe("sagemaker");
    expect(iamPrefixFor("api.mediatailor.amazonaws.com")).toBe("mediatailor");
  });
});

describe("tables against AWS's catalogue", () => {
  test("every mapped prefix is a real IAM service", () => {
    for (const prefix of new Set(Object.values(EVENT_NAME_TABLES.sourcePrefix))) expect(catalogue.services.has(prefix), prefix).toBe(true);
  });

  test("every renamed action exists, in AWS casing", () => {
    for (const byName of Object.values(EVENT_NAME_TABLES.actionForEvent)) {
      for (const action of Object.values(byName)) expect(catalogue.canonical(action), action).toBe(action);
    }
  });

  test("every additional authorizing action exists, in AWS casing", () => {
    for (const byName of Object.values(EVENT_NAME_TABLES.alsoAuthorizedBy))
      for (const actions of Object.values(byName)) for (const action of actions) expect(catalogue.canonical(action), action).toBe(action);
    expect(additionalActionsFor("s3.amazonaws.com", "CopyObject")).toEqual(["s3:GetObject"]);
    expect(additionalActionsFor("s3.amazonaws.com", "PutObject")).toEqual([]);
  });

  test("API Gateway verbs exist", () => {
    for (const verb of ["GET", "POST", "PUT", "PATCH", "DELETE"]) expect(catalogue.canonical(`apigateway:${verb}`)).toBe(`apigateway:${verb}`);
  });
});
