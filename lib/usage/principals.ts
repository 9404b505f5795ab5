import { and, eq, ne, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { identities, systems } from "@/db/schema";
import { ValidationError } from "@/lib/errors";
import type { PrincipalIndex } from "./source";

/**
 * The principal index of a source whose log names the identities of one
 * system (a cluster, an organisation, a database server): the system that
 * `where` finds, or `missing` (a 422 saying what to import first), and its
 * identities that are not decommissioned, each under the key `keyOf` gives it
 * (none: not a principal the log can name). Coverage names the system `name`.
 */
export async function systemPrincipals(
  db: Db,
  opts: { where: SQL; missing: ValidationError; name: string; keyOf: (identity: { externalId: string | null; name: string }) => string | null },
): Promise<PrincipalIndex & { systemId: string }> {
  const [system] = await db.select({ id: systems.id }).from(systems).where(opts.where);
  if (!system) throw opts.missing;
  const own = await db
    .select({ id: identities.id, externalId: identities.externalId, name: identities.name })
    .from(identities)
    .where(and(eq(identities.systemId, system.id), ne(identities.status, "decommissioned")));
  const index: PrincipalIndex & { systemId: string } = { systemId: system.id, identities: new Map(), systems: new Map([[opts.name, system.id]]) };
  for (const i of own) {
    const key = opts.keyOf(i);
    if (key !== null) index.identities.set(key, { identityId: i.id, systemId: system.id });
  }
  return index;
}
