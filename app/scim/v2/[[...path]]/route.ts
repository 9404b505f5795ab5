import { scimRouteHandlers } from "@/lib/scim/next-route";

// SCIM 2.0 service provider (RFC 7643/7644) for identity providers: see lib/scim.
export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE } = scimRouteHandlers();
