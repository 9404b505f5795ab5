/**
 * The account a JIT grant's own credential uses in a target (a PostgreSQL
 * login role, a directory entry's cn): named by the grant, so the target's own
 * logs (connections, pgaudit, binds) name the grant, and two grants never
 * share an account. The product makes and removes these accounts; the
 * inventory does not import them as identities.
 * Browser-safe.
 */
export const perGrantRole = (grantId: string) => `gov_${grantId.replace(/-/g, "")}`;

/** The grant a per-grant login role was made for, or null for any other role. */
export function grantOfRole(role: string): string | null {
  const m = /^gov_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/.exec(role);
  return m ? m.slice(1).join("-") : null;
}
