import { MAX_PAGE_SIZE, URN } from "./constants";

// Discovery documents (RFC 7643 §5-7, RFC 7644 §4): what identity providers
// read to learn what this service provider supports.

type Attr = Record<string, unknown>;

function attr(
  name: string,
  opts: Partial<{
    type: string;
    multiValued: boolean;
    required: boolean;
    caseExact: boolean;
    mutability: string;
    returned: string;
    uniqueness: string;
    description: string;
    subAttributes: Attr[];
    canonicalValues: string[];
    referenceTypes: string[];
  }> = {},
): Attr {
  return {
    name,
    type: opts.type ?? "string",
    multiValued: opts.multiValued ?? false,
    description: opts.description ?? "",
    required: opts.required ?? false,
    caseExact: opts.caseExact ?? false,
    mutability: opts.mutability ?? "readWrite",
    returned: opts.returned ?? "default",
    uniqueness: opts.uniqueness ?? "none",
    ...(opts.subAttributes ? { subAttributes: opts.subAttributes } : {}),
    ...(opts.canonicalValues ? { canonicalValues: opts.canonicalValues } : {}),
    ...(opts.referenceTypes ? { referenceTypes: opts.referenceTypes } : {}),
  };
}

const multi = (name: string, description: string, types: string[], extra: Attr[] = []) =>
  attr(name, {
    type: "complex",
    multiValued: true,
    description,
    subAttributes: [
      attr("value", { description: `The ${name} value.` }),
      attr("display", { description: "A human-readable name." }),
      attr("type", { canonicalValues: types, description: "A label for its function." }),
      attr("primary", { type: "boolean", description: "The primary value." }),
      ...extra,
    ],
  });

const userSchema = {
  id: URN.user,
  name: "User",
  description: "A person. Users are the people of the inventory (identities of kind human); non-human identities are never provisioned through SCIM.",
  attributes: [
    attr("userName", {
      required: true,
      uniqueness: "server",
      description: "Unique identifier for the person, case-insensitively; their email unless the identity provider states another.",
    }),
    attr("name", {
      type: "complex",
      description: "The components of the person's name.",
      subAttributes: ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"].map((n) => attr(n)),
    }),
    attr("displayName", { description: "The name shown everywhere in the product." }),
    attr("nickName"),
    attr("profileUrl", { type: "reference", referenceTypes: ["external"] }),
    attr("title", { description: "Job title." }),
    attr("userType"),
    attr("preferredLanguage"),
    attr("locale"),
    attr("timezone"),
    attr("active", {
      type: "boolean",
      description: "false offboards the person: access ends, owned non-human identities are re-homed. true again makes them a joiner.",
    }),
    multi("emails", "Email addresses; the primary one is the person's email in the product (sign-in matches it).", ["work", "home", "other"]),
    multi("phoneNumbers", "Phone numbers.", ["work", "home", "mobile", "fax", "pager", "other"]),
    multi("ims", "Instant messaging addresses.", ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    multi("photos", "Photo URLs.", ["photo", "thumbnail"]),
    attr("addresses", {
      type: "complex",
      multiValued: true,
      subAttributes: ["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"]
        .map((n) => attr(n))
        .concat(attr("primary", { type: "boolean" })),
    }),
    attr("groups", {
      type: "complex",
      multiValued: true,
      mutability: "readOnly",
      description: "The teams the person belongs to; change them through Groups.",
      subAttributes: [
        attr("value", { mutability: "readOnly" }),
        attr("$ref", { type: "reference", referenceTypes: ["Group"], mutability: "readOnly" }),
        attr("display", { mutability: "readOnly" }),
        attr("type", { mutability: "readOnly", canonicalValues: ["direct"] }),
      ],
    }),
    multi("entitlements", "Entitlements as the identity provider states them (kept, not enforced).", []),
    multi("roles", "Roles as the identity provider states them (kept, not enforced).", []),
  ],
};

const enterpriseSchema = {
  id: URN.enterprise,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    attr("employeeNumber"),
    attr("costCenter"),
    attr("organization"),
    attr("division"),
    attr("department", { description: "The person's primary team; a team of that name is created when absent. Changing it is a move." }),
    attr("manager", {
      type: "complex",
      description: "The person's manager, who reviews their access when they move. Changing it is a move.",
      subAttributes: [
        attr("value", { description: "The id of the manager's User." }),
        attr("$ref", { type: "reference", referenceTypes: ["User"] }),
        attr("displayName", { mutability: "readOnly" }),
      ],
    }),
  ],
};

const groupSchema = {
  id: URN.group,
  name: "Group",
  description: "A team. Membership places people for eligibility; a person's first team becomes their primary team.",
  attributes: [
    attr("displayName", { required: true, uniqueness: "server", description: "The team's name, unique case-insensitively." }),
    attr("members", {
      type: "complex",
      multiValued: true,
      description: "The people in the team.",
      subAttributes: [
        attr("value", { mutability: "immutable", description: "The id of a User." }),
        attr("$ref", { type: "reference", referenceTypes: ["User"], mutability: "immutable" }),
        attr("display", { mutability: "readOnly" }),
        attr("type", { mutability: "immutable", canonicalValues: ["User"] }),
      ],
    }),
  ],
};

export const SCHEMAS = [userSchema, enterpriseSchema, groupSchema];

export function schemaResource(schema: (typeof SCHEMAS)[number], baseUrl: string) {
  return { schemas: [URN.schema], ...schema, meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${schema.id}` } };
}

export const RESOURCE_TYPES = [
  { id: "User", name: "User", endpoint: "/Users", description: "People", schema: URN.user, schemaExtensions: [{ schema: URN.enterprise, required: false }] },
  { id: "Group", name: "Group", endpoint: "/Groups", description: "Teams", schema: URN.group, schemaExtensions: [] },
];

export function resourceTypeResource(type: (typeof RESOURCE_TYPES)[number], baseUrl: string) {
  return { schemas: [URN.resourceType], ...type, meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${type.id}` } };
}

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [URN.serviceProviderConfig],
    documentationUri: `${baseUrl}/Schemas`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "An API token with the scim scope, issued by an admin on Admin → API tokens, sent as Authorization: Bearer <token>.",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}
