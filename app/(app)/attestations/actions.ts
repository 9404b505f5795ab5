"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { attest } from "@/lib/attestation/attest";
import { reassignOwner } from "@/lib/attestation/orphans";
import { runAction } from "@/lib/http/action";

export async function attestAction(identityId: string, input: Record<string, unknown>) {
  const result = await runAction([identityId, input], async (caller) => {
    const outcome = await attest(await getDb(), caller, identityId, input);
    return {
      status: outcome.attestation.status,
      nextAttestationAt: outcome.identity.nextAttestationAt?.toISOString() ?? null,
      revokedGrants: outcome.revokedGrants,
      credentialsQueued: outcome.credentialsQueued,
    };
  });
  if (result.ok) {
    revalidatePath("/attestations");
    revalidatePath(`/identities/${identityId}`);
  }
  return result;
}

export async function reassignOwnerAction(identityId: string, input: Record<string, unknown>) {
  const result = await runAction([identityId, input], async (caller) => {
    const updated = await reassignOwner(await getDb(), caller, identityId, input);
    return { ownerId: updated.ownerId };
  });
  if (result.ok) {
    revalidatePath("/attestations");
    revalidatePath(`/identities/${identityId}`);
  }
  return result;
}
