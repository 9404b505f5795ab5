import { ScimError as PatchLibraryError } from "scim-patch";
import { AppError, TooManyRequestsError, ValidationError, isUniqueViolation } from "@/lib/errors";
import { URN } from "./constants";

/** The scimType values of RFC 7644 §3.12. */
export type ScimType =
  "invalidFilter" | "tooMany" | "uniqueness" | "mutability" | "invalidSyntax" | "invalidPath" | "noTarget" | "invalidValue" | "invalidVers" | "sensitive";

/** A protocol error the identity provider may see, answered as RFC 7644 §3.12 describes. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
    /** For 429: when the client may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);
export const notFound = (what: string, id: string) => new ScimError(404, `${what} ${JSON.stringify(id)} not found.`);

export type ScimErrorBody = { schemas: string[]; status: string; scimType?: ScimType; detail: string };

export function errorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return { schemas: [URN.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

const SCIM_TYPES = new Set<string>([
  "invalidFilter",
  "tooMany",
  "uniqueness",
  "mutability",
  "invalidSyntax",
  "invalidPath",
  "noTarget",
  "invalidValue",
  "invalidVers",
  "sensitive",
]);

/**
 * Any thrown error as a SCIM error: our own, the PATCH library's (which carry
 * their scimType), the domain's known errors, unique violations the checks
 * raced past; everything else is logged and answered generically.
 */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof PatchLibraryError) {
    const scimType = error.scimCode && SCIM_TYPES.has(error.scimCode) ? (error.scimCode as ScimType) : "invalidSyntax";
    return badRequest(scimType, error.message);
  }
  if (error instanceof ValidationError) {
    const fields = Object.entries(error.fieldErrors).map(([k, v]) => (k === "_" ? v.join(" ") : `${k}: ${v.join(" ")}`));
    return badRequest("invalidValue", fields.length ? fields.join("; ") : error.message);
  }
  if (error instanceof TooManyRequestsError) return new ScimError(429, error.message, undefined, error.retryAfterSeconds);
  if (error instanceof AppError) {
    if (error.status === 409) return new ScimError(409, error.message, "uniqueness");
    if (error.status === 422) return badRequest("invalidValue", error.message);
    return new ScimError(error.status, error.message);
  }
  if (isUniqueViolation(error)) return new ScimError(409, "A resource with these unique attributes already exists.", "uniqueness");
  console.error("[gov] scim: unexpected error", error);
  return new ScimError(500, "Something went wrong on our side. It has been logged.");
}
