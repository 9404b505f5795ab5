import { tokenScopes } from "@/db/schema";
import { route } from "@/lib/http/respond";

// A pipeline can check which NHI its token acts as and with which scopes.
export const GET = route(
  async ({ caller }) => ({
    identityId: caller.identityId,
    name: caller.name,
    email: caller.email,
    roles: [...caller.roles],
    ...(caller.token ? { token: { id: caller.token.id, name: caller.token.name, scopes: [...caller.token.scopes] } } : {}),
  }),
  { tokenScopes },
);
