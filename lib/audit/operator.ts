import { userInfo } from "node:os";
import type { Role } from "@/db/schema";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import type { Actor } from "./record";

/**
 * Someone at the command line (`gov audit …`): they hold the database's
 * credentials and the audit key already, so no role applies; their audit rows
 * name the operating-system account.
 */
export type Operator = { operator: string };

export const cliOperator = (): Operator => ({ operator: `cli: ${userInfo().username}` });

/** Lets an operator or a caller holding one of the roles through, and returns who to record as the actor. */
export function requireAuditRole(who: Caller | Operator | null, ...roles: Role[]): Actor {
  if (who && "operator" in who) return { id: null, label: who.operator };
  return actorOf(requireRole(who, ...roles));
}
