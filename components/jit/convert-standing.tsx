"use client";

import { ActionButton } from "@/components/ui/action-button";
import { api } from "@/lib/http/client";

/** "Remove standing privilege" on one grant: it ends, and its holder becomes eligible to request it just in time. */
export function ConvertStanding({ grantId, label }: { grantId: string; label: string }) {
  return (
    <ActionButton
      variant="small"
      title="End this standing grant and make its holder eligible to request it just in time"
      aria-label={`Remove standing privilege: ${label}`}
      pendingLabel="Converting…"
      action={() => api("/api/v1/jit/convert", { body: { grantIds: [grantId] } })}
    >
      Make just-in-time
    </ActionButton>
  );
}
