/**
 * What an action acts on, to group actions by in lists: all of it but its
 * last part ("s3" of s3:GetObject, "repo:api" of repo:api:write,
 * "payments:get" of payments:get:core/secrets, "public.accounts" of
 * public.accounts:SELECT). Browser-safe.
 */
export const actionGroupOf = (action: string): string => {
  const last = action.lastIndexOf(":");
  return last > 0 ? action.slice(0, last) : "(ungrouped)";
};
