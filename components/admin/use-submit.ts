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
  const submit = (path: string, method: "POST" | "PATCH" | "DELETE", body: unknown, done: string, after?: () => void) =>
    start(async () => {
      const result = await apiResult(path, { method, body });
      setErrors(result.ok ? {} : (result.fieldErrors ?? {}));
      setMessage(result.ok ? { ok: true, text: done } : { ok: false, text: result.message });
      if (result.ok) {
        after?.();
        router.refresh();
      }
    });
  return { errors, message, pending, submit };
}
