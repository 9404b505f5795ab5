import { sql, type SQL } from "drizzle-orm";
import { identities, teams } from "@/db/schema";
import { URN } from "./constants";
import { jsonArrayAttribute, type AttributeMap, type MultiAttribute, type ScalarAttribute } from "./filter";

// The SCIM document an identity provider wrote is kept whole in
// identities.attributes.scim; these read it in SQL.
const jsonPath = (...parts: string[]) => sql.raw(`'{${["scim", ...parts].map((p) => `"${p}"`).join(",")}}'`);
export const scimText = (...parts: string[]): SQL => sql`(${identities.attributes} #>> ${jsonPath(...parts)})`;
const scimJson = (...parts: string[]): SQL => sql`(${identities.attributes} #> ${jsonPath(...parts)})`;

/**
 * A person's userName: what the identity provider last wrote, else their
 * email (seeded and OIDC-created people), else their name. One expression, so
 * filters, uniqueness checks and an expression index agree on it.
 */
export const userNameSql = sql`coalesce(${scimText("userName")}, ${identities.email}, ${identities.name})`;

/** People the identity provider deleted keep their row as evidence, out of SCIM's sight. */
export const notDeletedSql = sql`(${scimJson("deleted")} is null)`;

/** The emails as GET shows them: the stored list, else the email column as the primary work email. */
const emailsSql = sql`coalesce(${scimJson("emails")}, case when ${identities.email} is null then '[]'::jsonb else jsonb_build_array(jsonb_build_object('value', ${identities.email}, 'type', 'work', 'primary', true)) end)`;

const text = (expr: SQL, caseExact = false): ScalarAttribute => ({ type: "string", expr, caseExact });
const stored = (...parts: string[]) => text(scimText(...parts));

const MULTI_SUBS = { value: "string", display: "string", type: "string", primary: "boolean" } as const;
const ADDRESS_SUBS = {
  formatted: "string",
  streetAddress: "string",
  locality: "string",
  region: "string",
  postalCode: "string",
  country: "string",
  type: "string",
  primary: "boolean",
} as const;

const userGroups: MultiAttribute = {
  type: "multi",
  defaultSub: "value",
  sub: {
    value: { type: "uuid", expr: sql`g.team_id` },
    display: text(sql`gt.name`),
    type: text(sql`'direct'`),
  },
  some: (condition) => sql`exists (select 1 from team_members g join teams gt on gt.id = g.team_id where g.identity_id = ${identities.id} and ${condition})`,
};

export const userAttributes: AttributeMap = {
  coreUrn: URN.user,
  extensions: { [URN.enterprise]: "enterprise" },
  attributes: {
    id: { type: "uuid", expr: sql`${identities.id}` },
    externalid: text(sql`${identities.externalId}`, true),
    username: text(userNameSql),
    displayname: text(sql`${identities.displayName}`),
    title: text(sql`${identities.title}`),
    active: { type: "boolean", expr: sql`(${identities.status} = 'active')` },
    nickname: stored("nickName"),
    profileurl: stored("profileUrl"),
    usertype: stored("userType"),
    preferredlanguage: stored("preferredLanguage"),
    locale: stored("locale"),
    timezone: stored("timezone"),
    "name.formatted": stored("name", "formatted"),
    "name.familyname": stored("name", "familyName"),
    "name.givenname": stored("name", "givenName"),
    "name.middlename": stored("name", "middleName"),
    "name.honorificprefix": stored("name", "honorificPrefix"),
    "name.honorificsuffix": stored("name", "honorificSuffix"),
    "meta.created": { type: "dateTime", expr: sql`${identities.createdAt}` },
    "meta.lastmodified": { type: "dateTime", expr: sql`${identities.updatedAt}` },
    emails: jsonArrayAttribute(emailsSql, MULTI_SUBS),
    phonenumbers: jsonArrayAttribute(scimJson("phoneNumbers"), MULTI_SUBS),
    ims: jsonArrayAttribute(scimJson("ims"), MULTI_SUBS),
    photos: jsonArrayAttribute(scimJson("photos"), MULTI_SUBS),
    addresses: jsonArrayAttribute(scimJson("addresses"), ADDRESS_SUBS, "formatted"),
    entitlements: jsonArrayAttribute(scimJson("entitlements"), MULTI_SUBS),
    roles: jsonArrayAttribute(scimJson("roles"), MULTI_SUBS),
    groups: userGroups,
    "enterprise:employeenumber": stored(URN.enterprise, "employeeNumber"),
    "enterprise:costcenter": stored(URN.enterprise, "costCenter"),
    "enterprise:organization": stored(URN.enterprise, "organization"),
    "enterprise:division": stored(URN.enterprise, "division"),
    "enterprise:department": text(sql`(select dt.name from ${teams} dt where dt.id = ${identities.teamId})`),
    "enterprise:manager": { type: "uuid", expr: sql`${identities.managerId}` },
    "enterprise:manager.value": { type: "uuid", expr: sql`${identities.managerId}` },
    "enterprise:manager.displayname": text(sql`(select mi.display_name from identities mi where mi.id = ${identities.managerId})`),
  },
  unkept: ["password", "x509certificates", "meta.version", "meta.location", "meta.resourcetype"],
};

/** The sub-attributes of one group membership, over team_members m joined to its person mp. */
export const memberSubAttributes: Record<string, ScalarAttribute> = {
  value: { type: "uuid", expr: sql`m.identity_id` },
  display: text(sql`mp.display_name`),
  type: text(sql`'User'`),
};

const groupMembers: MultiAttribute = {
  type: "multi",
  defaultSub: "value",
  sub: memberSubAttributes,
  some: (condition) =>
    sql`exists (select 1 from team_members m join identities mp on mp.id = m.identity_id where m.team_id = ${teams.id} and (mp.attributes #> '{scim,deleted}') is null and ${condition})`,
};

export const groupAttributes: AttributeMap = {
  coreUrn: URN.group,
  extensions: {},
  attributes: {
    id: { type: "uuid", expr: sql`${teams.id}` },
    displayname: text(sql`${teams.name}`),
    members: groupMembers,
    "meta.created": { type: "dateTime", expr: sql`${teams.createdAt}` },
    "meta.lastmodified": { type: "dateTime", expr: sql`${teams.updatedAt}` },
  },
  // Teams keep no external id: a filter on it finds nothing rather than failing the IdP's sync.
  unkept: ["externalid", "meta.version", "meta.location", "meta.resourcetype"],
};
