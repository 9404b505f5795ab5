/** How an action went, where the person is looking: a polite status when it worked, an alert when it did not. */
export function Outcome({ message, className = "mt-2 text-sm" }: { message: { ok: boolean; text: string } | null; className?: string }) {
  if (!message?.text) return null;
  return (
    <p role={message.ok ? "status" : "alert"} className={`${className} ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
      {message.text}
    </p>
  );
}
