import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { handOutCredential } from "@/lib/jit/credential";
import { optionalJsonBody, route } from "@/lib/http/respond";

/** Hands out the access's own short-lived credential (an SSH certificate for the posted {"publicKey"}), once per call; no cache may keep the answer. */
export const POST = route<{ id: string }>(
  async ({ caller, params, request }) =>
    NextResponse.json(await handOutCredential(await getDb(), caller, params.id, await optionalJsonBody(request)), {
      headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
    }),
  { tokenScopes: ["jit:request"] },
);
