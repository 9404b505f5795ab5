/** Field-level validation messages from the server, one line per field. */
export function FieldErrorsAlert({ errors }: { errors: Record<string, string[]> | null | undefined }) {
  if (!errors) return null;
  return (
    <div role="alert" className="mb-4 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
      {Object.entries(errors).map(([field, messages]) => (
        <p key={field}>
          <strong>{field}</strong>: {messages.join(" ")}
        </p>
      ))}
    </div>
  );
}

/** Field-level messages under one input. */
export function FieldMessages({ messages }: { messages?: string[] }) {
  return messages?.map((m) => (
    <p key={m} className="mt-1 text-xs text-rose-700" role="alert">
      {m}
    </p>
  ));
}
