"use client";

import { ActionButton } from "@/components/ui/action-button";
import { api } from "@/lib/http/client";

/**
 * The owner says the work was done where the secret lives: rotated (its age
 * starts over) or revoked (it can no longer be used); its open tasks are done.
 */
export function CredentialDoneButton({ credentialId, label, done }: { credentialId: string; label: string; done: "rotated" | "revoked" }) {
  return (
    <ActionButton
      variant="small"
      aria-label={`Mark ${label} ${done}`}
      pendingLabel="Saving…"
      action={() => api(`/api/v1/credentials/${credentialId}/${done}`, { body: {} })}
    >
      {`Mark ${done}`}
    </ActionButton>
  );
}
