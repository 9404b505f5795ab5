import { getCaller } from "@/lib/auth/auth";
import type { Caller } from "@/lib/auth/caller";
import { UnauthenticatedError, assertSafeInput } from "@/lib/errors";
import { errorBody } from "./respond";

export type ActionResult<T = unknown> = { ok: true; data: T } | { ok: false; code: string; message: string; fieldErrors?: Record<string, string[]> };

/**
 * Runs a server action body for the signed-in caller; errors become a result,
 * never a stack trace. `args` are the action's arguments as the browser sent
 * them: anything may arrive there, so they are held to the input rules before
 * the body runs.
 */
export async function runAction<T>(args: readonly unknown[], body: (caller: Caller) => Promise<T>): Promise<ActionResult<T>> {
  try {
    const caller = await getCaller();
    if (!caller) throw new UnauthenticatedError();
    // Each argument on its own, so a form's field errors carry the field's name (purpose, not 1.purpose).
    for (const arg of args) assertSafeInput(arg);
    return { ok: true, data: await body(caller) };
  } catch (error) {
    const { body: b } = errorBody(error);
    return { ok: false, ...b.error };
  }
}
