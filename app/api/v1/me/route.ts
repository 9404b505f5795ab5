import { route } from "@/lib/http/respond";

export const GET = route(async ({ caller }) => ({ identityId: caller.identityId, name: caller.name, email: caller.email, roles: [...caller.roles] }));
