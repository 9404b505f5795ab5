import { getDb } from "@/db/client";
import { listAttestationPolicies } from "@/lib/attestation/cadence";
import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => ({ policies: await listAttestationPolicies(await getDb(), caller) }));
