import type { PermissionModel } from "../model";
import { actionMatches, loadCatalogue, observability } from "./catalogue";
import { isSensitiveAction } from "./match";

/** "service:Action", one colon: another system's action (Kubernetes' "ns:verb:group/resource") is never AWS's, even under a `*` policy. */
const isAwsAction = (action: string) => {
  const colon = action.indexOf(":");
  return colon > 0 && action.indexOf(":", colon + 1) < 0;
};

/** AWS IAM: actions as "service:Action" with IAM wildcards, the iam-data catalogue, CloudTrail's data events. */
export const awsPermissionModel: PermissionModel = {
  actionMatches: (pattern, action) => isAwsAction(action) && actionMatches(pattern, action),
  isSensitive: isSensitiveAction,
  observability,
  catalogue: loadCatalogue,
};
