"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { setRoles } from "@/lib/auth/roles";
import { runAction } from "@/lib/http/action";

export async function setRolesAction(identityId: string, roles: string[]) {
  const result = await runAction([identityId, roles], async (caller) => setRoles(await getDb(), caller, identityId, { roles }));
  if (result.ok) revalidatePath("/admin");
  return result;
}
