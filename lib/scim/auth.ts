import type { Db } from "@/db/client";
import { limitFailures } from "@/lib/auth/failures";
import { authenticateToken, bearerFrom, type TokenPrincipal } from "@/lib/auth/tokens";
import { sourceOf } from "@/lib/http/peer";
import { ScimError } from "./errors";

/**
 * The token behind a request's Authorization header, answered in SCIM's terms:
 * 401 without a live bearer token, 403 for a token issued for something else,
 * 429 once its source has failed too often (failures.ts). Identity providers
 * only ever present a token; sessions do not reach SCIM.
 */
export async function authenticateScim(db: Db, headers: Headers): Promise<TokenPrincipal> {
  const bearer = bearerFrom(headers.get("authorization"));
  if (!bearer) throw new ScimError(401, "Send an API token with the scim scope as Authorization: Bearer <token>.");
  const token = await limitFailures(db, sourceOf(headers), "scim", () => authenticateToken(db, bearer));
  if (!token) throw new ScimError(401, "The API token is unknown, expired or revoked.");
  if (!token.scopes.has("scim")) throw new ScimError(403, "This token lacks the scim scope; an admin issues SCIM tokens on Admin → API tokens.");
  return token;
}
