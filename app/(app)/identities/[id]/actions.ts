"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { updateIdentity } from "@/lib/identities/update";
import { runAction } from "@/lib/http/action";

export async function updateIdentityAction(id: string, input: Record<string, unknown>) {
  const result = await runAction([id, input], async (caller) => {
    await updateIdentity(await getDb(), caller, id, input);
    return null;
  });
  if (result.ok) revalidatePath(`/identities/${id}`);
  return result;
}
