import type { PermissionModel } from "../model";
import { actionMatches, loadCatalogue, observability } from "./catalogue";
import { isSensitiveAction } from "./match";

/** AWS IAM: actions as "service:Action" with IAM wildcards, the iam-data catalogue, CloudTrail's data events. */
export const awsPermissionModel: PermissionModel = {
  actionMatches,
  isSensitive: isSensitiveAction,
  observability,
  catalogue: loadCatalogue,
};
