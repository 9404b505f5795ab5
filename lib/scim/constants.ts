/** The URNs of RFC 7643/7644 this service provider speaks. */
export const URN = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  searchRequest: "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
} as const;

export const SCIM_CONTENT_TYPE = "application/scim+json";

// RFC 7644 §3.4.2.4 leaves the page size to the provider: identity providers
// page through everyone at start-up, so a page is large but bounded.
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** The actor and lifecycle source of everything one SCIM token changes. */
export type ScimContext = {
  actor: { id: null; label: string };
  source: string;
  /** Absolute URL of /scim/v2, for meta.location and $ref. */
  baseUrl: string;
};

export function scimContext(tokenName: string, baseUrl: string): ScimContext {
  return { actor: { id: null, label: `scim: ${tokenName}` }, source: `scim:${tokenName}`, baseUrl: baseUrl.replace(/\/+$/, "") };
}
