/**
 * What an AWS IAM import writes as an identity's `attributes.source`: the
 * escalation analysis and the identity page read the identities carrying it
 * as the account's principals.
 */
export const AWS_IAM_SOURCE = "aws-iam";
