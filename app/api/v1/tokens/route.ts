import { getDb } from "@/db/client";
import { issueToken, listTokens } from "@/lib/auth/tokens";
import { jsonBody, route, searchParamsOf } from "@/lib/http/respond";

export const GET = route(async ({ caller, request }) => {
  const { identityId } = searchParamsOf(request);
  return listTokens(await getDb(), caller, { identityId: identityId || undefined });
});

export const POST = route(async ({ caller, request }) => {
  const issued = await issueToken(await getDb(), caller, await jsonBody(request));
  return Response.json(issued, { status: 201 });
});
