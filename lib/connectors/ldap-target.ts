import { createHash, randomBytes } from "node:crypto";
import {
  Attribute,
  Change,
  Client,
  NoSuchAttributeError,
  NoSuchObjectError,
  ObjectClassViolationError,
  AlreadyExistsError,
  TypeOrValueExistsError,
  UndefinedTypeError,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
} from "ldapts";
import { grantOfRole, perGrantRole } from "@/lib/permissions/grant-accounts";
import { DeliveryError, type ConnectorRow } from "./types";

/**
 * Where a directory connector works, from its URL
 * `ldap[s]://<bind DN>:<password>@host:port/<container DN>`: the account it
 * binds as (percent-encoding optional), and the container where the accounts
 * it makes for single grants live.
 */
export type DirectoryConfig = { url: string; host: string; port: number; bindDn: string; password: string; base: string };

/** Why a directory URL cannot be used, in the form's words, or null. */
export function directoryUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Not a URL: ldap://<bind DN>:<password>@host:389/<container DN>.";
  }
  if (parsed.protocol !== "ldap:" && parsed.protocol !== "ldaps:") return "A directory URL starts with ldap:// or ldaps://.";
  if (!parsed.hostname) return "Name the directory's host.";
  if (!parsed.username) return "Give the DN the connector binds as, before the @ (ldap://cn=admin,dc=example,dc=org:password@host/…).";
  const base = decode(parsed.pathname.slice(1));
  if (!base || !base.includes("=")) return "End the URL with the container DN where per-grant accounts are made (…/ou=gov-grants,dc=example,dc=org).";
  return null;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The connector's directory URL: given, or read from an environment variable so the bind password stays out of the database. */
export function connectorUrl(connector: ConnectorRow): string {
  const config = connector.config as { url?: string; urlEnv?: string };
  const url = config.urlEnv ? process.env[config.urlEnv] : config.url;
  if (!url) throw new DeliveryError(config.urlEnv ? `environment variable ${config.urlEnv} is not set` : "no directory URL configured");
  return url;
}

export function directoryConfig(url: string): DirectoryConfig {
  const problem = directoryUrlProblem(url);
  if (problem) throw new DeliveryError(`directory URL: ${problem}`);
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === "ldaps:" ? 636 : 389));
  return {
    url: `${u.protocol}//${u.host.includes(":") ? u.host : `${u.hostname}:${port}`}`,
    host: u.hostname,
    port,
    bindDn: decode(u.username),
    password: decode(u.password),
    base: decode(u.pathname.slice(1)),
  };
}

/** Runs fn on one connection to the connector's directory, bound as its account; any failure is a DeliveryError. */
export function withDirectory<T>(connector: ConnectorRow, fn: (client: Client, config: DirectoryConfig) => Promise<T>): Promise<T> {
  return withDirectoryAt(connectorUrl(connector), fn);
}

/** Runs fn on one connection to the directory a URL names, bound as its account; any failure is a DeliveryError. */
export async function withDirectoryAt<T>(url: string, fn: (client: Client, config: DirectoryConfig) => Promise<T>): Promise<T> {
  const config = directoryConfig(url);
  const client = new Client({ url: config.url, timeout: 10_000, connectTimeout: 10_000 });
  try {
    await client.bind(config.bindDn, config.password);
    return await fn(client, config);
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    if (error instanceof InvalidCredentialsError) throw new DeliveryError(`the directory refused the bind as ${config.bindDn} (wrong DN or password)`);
    throw new DeliveryError(`target directory: ${(error as Error).message}`);
  } finally {
    await client.unbind().catch(() => {});
  }
}

/**
 * A DN as the directory compares it: attribute types and the values of the
 * usual naming attributes (cn, uid, ou, dc) ignore case, and spaces around
 * the separators do not count. Escaped separators stay part of their value.
 */
export function dnKey(dn: string): string {
  const rdns: string[] = [];
  let current = "";
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === "\\" && i + 1 < dn.length) {
      current += c + dn[++i];
      continue;
    }
    if (c === ",") {
      rdns.push(current);
      current = "";
    } else current += c;
  }
  rdns.push(current);
  return rdns
    .map((rdn) => {
      const eq = rdn.indexOf("=");
      return eq < 0
        ? rdn.trim().toLowerCase()
        : `${rdn.slice(0, eq).trim().toLowerCase()}=${rdn
            .slice(eq + 1)
            .trim()
            .toLowerCase()}`;
    })
    .join(",");
}

/** An identity's DN in the directory is its external id; a group's, its entitlement's external reference. */
export const memberDn = (i: { externalId: string | null; name: string }) => i.externalId ?? i.name;
export const groupDn = (e: { externalRef: string | null; name: string }) => e.externalRef ?? e.name;

/** A delivery's names checked before the directory sees them: an identity or entitlement not from the directory names no entry. */
export function assertDn(dn: string, what: "identity" | "group") {
  // eslint-disable-next-line no-control-regex -- a control character is never part of a DN the product sends
  if (!/^[^=,\x00-\x1f]+=[^\x00-\x1f]+$/.test(dn))
    throw new DeliveryError(
      what === "identity"
        ? `the identity ${dn} has no directory DN: import the directory (gov import ldap-groups) or set its external id to its entry's DN`
        : `the entitlement ${dn} names no directory group: its external reference must be the group's DN (gov import ldap-groups sets it)`,
    );
  return dn;
}

/** The account a grant's own credential binds as: named by the grant (as its database role is), in the connector's container. */
export const grantAccountDn = (base: string, grantId: string) => `cn=${perGrantRole(grantId)},${base}`;

/** The grant an account in the container was made for, or null for any other DN. */
export function grantOfAccount(base: string, dn: string): string | null {
  const key = dnKey(dn);
  const comma = key.indexOf(",");
  if (comma < 0 || !key.startsWith("cn=") || key.slice(comma + 1) !== dnKey(base)) return null;
  return grantOfRole(key.slice(3, comma));
}

/** The password policy the per-grant accounts name, so the directory's ppolicy overlay enforces their pwdEndTime. */
const policyDn = (base: string) => `cn=gov-grant-accounts,${base}`;

/**
 * `{SSHA}` of a password (salted SHA-1, the scheme every LDAP server reads):
 * the directory is sent the hash, never the password. The passwords made here
 * carry 192 random bits and live for one grant, so the hash's speed gives an
 * attacker nothing to guess against.
 */
export function sshaHash(password: string, salt = randomBytes(8)): string {
  const digest = createHash("sha1").update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString("base64")}`;
}

/** LDAP's GeneralizedTime, to the second, in UTC. */
export const generalizedTime = (d: Date) => `${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;

/** Adds member to the group; already a member: nothing. Takes out the empty placeholder an emptied group was left with. */
export async function addMember(client: Client, group: string, member: string) {
  try {
    await client.modify(group, new Change({ operation: "add", modification: new Attribute({ type: "member", values: [member] }) }));
  } catch (e) {
    if (e instanceof NoSuchObjectError) throw new DeliveryError(`group ${group} does not exist in the directory`);
    if (!(e instanceof TypeOrValueExistsError)) throw e;
  }
  await client.modify(group, new Change({ operation: "delete", modification: new Attribute({ type: "member", values: [""] }) })).catch(() => {});
}

/**
 * Removes member from the group; not a member: nothing. groupOfNames must keep
 * one member, so a group losing its last one keeps the empty DN instead
 * (which names nobody), in the same operation.
 */
export async function removeMember(client: Client, group: string, member: string): Promise<{ emptied: boolean }> {
  const remove = new Change({ operation: "delete", modification: new Attribute({ type: "member", values: [member] }) });
  try {
    await client.modify(group, remove);
    return { emptied: false };
  } catch (e) {
    if (e instanceof NoSuchAttributeError) return { emptied: false };
    if (e instanceof NoSuchObjectError) throw new DeliveryError(`group ${group} does not exist in the directory`);
    if (!(e instanceof ObjectClassViolationError)) throw e;
  }
  await client.modify(group, [new Change({ operation: "add", modification: new Attribute({ type: "member", values: [""] }) }), remove]);
  return { emptied: true };
}

/** The members of each group, as the directory holds them (the empty placeholder left out). */
export async function groupMembers(client: Client, groups: string[]): Promise<{ group: string; member: string }[]> {
  const out: { group: string; member: string }[] = [];
  for (const group of groups) {
    try {
      const { searchEntries } = await client.search(group, { scope: "base", attributes: ["member"] });
      for (const entry of searchEntries) {
        const members = ([] as unknown[]).concat(entry.member ?? []).map(String);
        for (const member of members) if (member.trim()) out.push({ group, member });
      }
    } catch (e) {
      // An entitlement with no group in the directory (or named by no DN at all) has no members there.
      if (!(e instanceof NoSuchObjectError) && !(e instanceof InvalidDNSyntaxError)) throw e;
    }
  }
  return out;
}

/**
 * Makes sure the grant's own account exists in the container, able to bind
 * only until validUntil (the directory's password policy refuses binds after
 * pwdEndTime, with or without the product), and a member of the group. With
 * a hash, its password becomes that one (a new hand-out replaces the old);
 * without, an account made here gets a password nobody knows. Safe to repeat.
 */
export async function ensureGrantAccount(client: Client, base: string, r: { grantId: string; group: string; validUntil: Date; hash?: string }) {
  const dn = grantAccountDn(base, r.grantId);
  const until = generalizedTime(r.validUntil);
  await ensurePolicy(client, base);
  try {
    await client.add(dn, {
      objectClass: ["applicationProcess", "simpleSecurityObject"],
      cn: perGrantRole(r.grantId),
      description: `Account of one access grant; the directory refuses its binds after ${until}.`,
      userPassword: r.hash ?? sshaHash(randomBytes(24).toString("base64url")),
      pwdEndTime: until,
      pwdPolicySubentry: policyDn(base),
    });
  } catch (e) {
    if (e instanceof UndefinedTypeError) throw new DeliveryError(noPolicy);
    if (e instanceof NoSuchObjectError) throw new DeliveryError(`the container ${base} does not exist in the directory`);
    if (!(e instanceof AlreadyExistsError)) throw e;
    const changes = [new Change({ operation: "replace", modification: new Attribute({ type: "pwdEndTime", values: [until] }) })];
    if (r.hash) changes.push(new Change({ operation: "replace", modification: new Attribute({ type: "userPassword", values: [r.hash] }) }));
    await client.modify(dn, changes);
  }
  await addMember(client, r.group, dn);
  return dn;
}

const noPolicy =
  "the directory does not know pwdEndTime: load the ppolicy overlay (OpenLDAP 2.5 or later) on this database, so it refuses a grant's account after the grant ends";

async function ensurePolicy(client: Client, base: string) {
  try {
    await client.add(policyDn(base), {
      objectClass: ["applicationProcess", "pwdPolicy"],
      cn: "gov-grant-accounts",
      description: "Password policy of the per-grant accounts: the directory enforces each account's pwdEndTime.",
      pwdAttribute: "userPassword",
    });
  } catch (e) {
    if (e instanceof AlreadyExistsError) return;
    if (e instanceof UndefinedTypeError || (e as Error).message.includes("pwdPolicy")) throw new DeliveryError(noPolicy);
    if (e instanceof NoSuchObjectError) throw new DeliveryError(`the container ${base} does not exist in the directory`);
    throw e;
  }
}

/**
 * Removes a grant's own account: out of the group, then deleted, so no bind
 * succeeds from this moment. Safe to repeat: an account already gone reports
 * nothing.
 */
export async function removeGrantAccount(client: Client, base: string, r: { grantId: string; group: string }): Promise<{ existed: boolean }> {
  const dn = grantAccountDn(base, r.grantId);
  await removeMember(client, r.group, dn).catch((e) => {
    if (!(e instanceof DeliveryError)) throw e;
  });
  try {
    await client.del(dn);
    return { existed: true };
  } catch (e) {
    if (e instanceof NoSuchObjectError) return { existed: false };
    throw e;
  }
}
