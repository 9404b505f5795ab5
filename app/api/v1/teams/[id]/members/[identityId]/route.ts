import { getDb } from "@/db/client";
import { route } from "@/lib/http/respond";
import { removeTeamMember } from "@/lib/teams/teams";

export const DELETE = route<{ id: string; identityId: string }>(async ({ caller, params }) =>
  removeTeamMember(await getDb(), caller, params.id, params.identityId),
);
