"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { apiResult } from "@/lib/http/client";

/** One call to the API from an admin form: field errors for their fields, the outcome beneath, the page refreshed on success. */
export function useSubmit() {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  /** `after` gets the answer (e.g. to open what was created); the page is refreshed either way. */
  const submit = <T = unknown>(path: string, method: "POST" | "PATCH" | "DELETE", body: unknown, done: string, after?: (data: T) => void) =>
    start(async () => {
      const result = await apiResult<T>(path, { method, body });
      setErrors(result.ok ? {} : (result.fieldErrors ?? {}));
      setMessage(result.ok ? { ok: true, text: done } : { ok: false, text: result.message });
      if (result.ok) {
        after?.(result.data);
        router.refresh();
      }
    });
  return { errors, message, pending, submit };
}
