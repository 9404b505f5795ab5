/** How the API server names a service account as a user: `system:serviceaccount:<namespace>:<name>`. Browser-safe. */
export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/** The username of a service account: how audit logs, bindings and escalation paths name it. */
export const serviceAccountUser = (namespace: string, name: string) => `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;

/** A service account's namespace and name from its username, or null for any other user. */
export function serviceAccountOf(user: string): { namespace: string; name: string } | null {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) return null;
  const parts = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  return parts.length === 2 ? { namespace: parts[0], name: parts[1] } : null;
}
