import { authRouteHandlers } from "@/lib/auth/sign-in";

export const { GET, POST } = authRouteHandlers;
