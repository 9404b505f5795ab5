import type { ZodError } from "zod";
import { describeProblem, inputProblem, pathKey } from "@/lib/validation/input";

/**
 * Errors a user may see. Anything else is logged server-side and answered with
 * a generic message, so internals never reach a client.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = "Sign in to continue.") {
    super(message, 401, "unauthenticated");
  }
}

/** Used for rows the caller may not see as well as rows that do not exist. */
export class NotFoundError extends AppError {
  constructor(what = "Resource") {
    super(`${what} not found.`, 404, "not_found");
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You are not allowed to do this.") {
    super(message, 403, "forbidden");
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409, "conflict");
  }
}

/** A target system the product acts on (a database server) refused or could not be reached: nothing was changed here. */
export class TargetUnavailableError extends AppError {
  constructor(message: string) {
    super(message, 502, "target_unavailable");
  }
}

/** Too many failed authentications from one source: answered 429 with Retry-After. */
export class TooManyRequestsError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many failed attempts from your address. Try again in ${retryAfterSeconds} s.`,
  ) {
    super(message, 429, "rate_limited");
  }
}

/** A request body over the endpoint's limit: refused before it is parsed, nothing changed. */
export class PayloadTooLargeError extends AppError {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${(limitBytes / 1_048_576).toLocaleString("en")} MiB.`, 413, "payload_too_large");
  }
}

export type FieldErrors = Record<string, string[]>;

export class ValidationError extends AppError {
  constructor(
    readonly fieldErrors: FieldErrors,
    message = "Some fields are not valid.",
  ) {
    super(message, 422, "validation_failed");
  }

  static fromZod(error: ZodError): ValidationError {
    const fieldErrors: FieldErrors = {};
    for (const issue of error.issues) {
      const key = issue.path.length ? issue.path.join(".") : "_";
      (fieldErrors[key] ??= []).push(issue.message);
    }
    return new ValidationError(fieldErrors);
  }
}

/**
 * Refuses input that breaks the rules every input obeys (lib/validation/input.ts:
 * no NUL, well-formed Unicode, bounded length and depth) with a 422 naming the
 * field. `prefix` says where the value came from when it is not a body ("path").
 */
export function assertSafeInput(value: unknown, prefix?: string): void {
  const problem = inputProblem(value);
  if (problem) throw new ValidationError({ [pathKey(problem.path, prefix)]: [describeProblem(problem, prefix)] });
}

/** Parses input with a zod schema, turning failures into field-level errors; the boundary rules are checked first. */
export function parseInput<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: ZodError } }, input: unknown): T {
  assertSafeInput(input);
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}

/** Query strings and GET forms send unset fields as "": treat them as absent. */
export function withoutBlanks(raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => !(typeof v === "string" && v.trim() === "")));
}

/** A unique-constraint violation from either driver (drizzle may wrap the driver's error as its cause). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (
    let e = error as { code?: string; constraint?: string; constraint_name?: string; message?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.code === "23505") return !constraint || e.constraint === constraint || e.constraint_name === constraint || !!e.message?.includes(constraint);
  }
  return false;
}
