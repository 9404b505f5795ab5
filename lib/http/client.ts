/** What a browser component gets when the API refuses: the server's message and field errors. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

/** What a form shows the person for a failed call: every field's messages, or the error's own message. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError && error.fieldErrors) return Object.values(error.fieldErrors).flat().join(" ");
  return error instanceof Error ? error.message : String(error);
}

/** A value as JSON carries it to the browser (Dates become text), typed as the component receiving it declares it. */
export const overTheWire = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

/** A text field of a submitted form ("" when absent, or when a file was sent where text belongs). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** A form's call: the answer, or the refusal as something to show (the server's message and field errors). */
export type CallResult<T> = { ok: true; data: T } | { ok: false; status: number; message: string; fieldErrors?: Record<string, string[]> };

/** `api` for forms: a refusal (or an unreachable server) comes back as a result, never as an exception. */
export async function apiResult<T = unknown>(url: string, init: { method?: string; body?: unknown } = {}): Promise<CallResult<T>> {
  try {
    return { ok: true, data: await api<T>(url, init) };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, status: e.status, message: e.message, fieldErrors: e.fieldErrors };
    return { ok: false, status: 0, message: "The server could not be reached. Nothing was changed; try again." };
  }
}

/** Calls the app's own JSON API from the browser; a refusal throws ApiError with the server's words. */
export async function api<T = unknown>(url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const json = (await res.json().catch(() => null)) as { error?: { message?: string; fieldErrors?: Record<string, string[]> } } | null;
  if (!res.ok) throw new ApiError(json?.error?.message ?? `The server answered ${res.status}.`, res.status, json?.error?.fieldErrors);
  return json as T;
}
