"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { createCampaign } from "@/lib/certification/campaigns";
import { runAction } from "@/lib/http/action";

export async function createCampaignAction(input: Record<string, unknown>) {
  const result = await runAction([input], async (caller) => (await createCampaign(await getDb(), caller, input)).id);
  if (result.ok) revalidatePath("/certifications");
  return result;
}
