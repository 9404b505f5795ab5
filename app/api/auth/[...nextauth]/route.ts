import { authRouteHandlers } from "@/lib/http/sign-in";

export const { GET, POST } = authRouteHandlers;
