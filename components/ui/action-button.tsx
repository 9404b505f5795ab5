"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { errorText } from "@/lib/http/client";
import { Button, type ButtonProps } from "./button";

type ActionButtonProps<R> = Omit<ButtonProps, "onClick" | "pending"> & {
  /** The one call the button makes (an `api()` request). */
  action: () => Promise<R>;
  /** What to say when it worked; nothing is said when absent. */
  done?: (result: R) => string;
  /** Called after it worked (close a panel, poll for a job); the page is refreshed too unless `refresh` is false. */
  onDone?: (result: R) => void;
  refresh?: boolean;
  /** How the button and its message line up: `end` in row actions and page headers. */
  align?: "start" | "center" | "end";
};

const alignments = { start: "items-start", center: "items-center", end: "items-end" } as const;

/**
 * A button that makes one call and says how it went: its pending label while
 * the call runs, then the error (as an alert) or the `done` message beneath
 * it, and the server-rendered page refreshed.
 */
export function ActionButton<R>({ action, done, onDone, refresh = true, align = "end", className, ...rest }: ActionButtonProps<R>) {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const run = () =>
    start(async () => {
      setMessage(null);
      try {
        const result = await action();
        if (done) setMessage({ ok: true, text: done(result) });
        onDone?.(result);
        if (refresh) router.refresh();
      } catch (e) {
        setMessage({ ok: false, text: errorText(e) });
      }
    });
  return (
    <span className={`inline-flex flex-col gap-1 ${alignments[align]} ${className ?? ""}`.trim()}>
      <Button {...rest} pending={pending} onClick={run} />
      {message && (
        <span role={message.ok ? "status" : "alert"} className={`text-xs ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {message.text}
        </span>
      )}
    </span>
  );
}
