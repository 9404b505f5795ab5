import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import postgres from "postgres";
import { DeliveryError, type ConnectorRow } from "./types";

type PostgresConfig = { url?: string; urlEnv?: string };

/** The target's connection string: given, or read from an environment variable so the secret stays out of the database. */
function targetUrl(connector: ConnectorRow): string {
  const config = connector.config as PostgresConfig;
  const url = config.urlEnv ? process.env[config.urlEnv] : config.url;
  if (!url) throw new DeliveryError(config.urlEnv ? `environment variable ${config.urlEnv} is not set` : "no connection URL configured");
  return url;
}

/** Runs fn on one connection to the connector's target; any failure is a DeliveryError (retried by deliveries, 502 to people). */
export async function withTarget<T>(connector: ConnectorRow, fn: (target: postgres.Sql) => Promise<T>): Promise<T> {
  const target = postgres(targetUrl(connector), { max: 1, connect_timeout: 10, idle_timeout: 5, onnotice: () => {} });
  try {
    return await fn(target);
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    throw new DeliveryError(`target PostgreSQL: ${(error as Error).message}`);
  } finally {
    await target.end({ timeout: 5 });
  }
}

/** Where people connect to the target: its host, port and database, never its credentials. */
export function targetAddress(connector: ConnectorRow): { host: string; port: number; database: string } {
  const url = new URL(targetUrl(connector));
  return { host: url.hostname, port: Number(url.port || 5432), database: decodeURIComponent(url.pathname.slice(1)) || "postgres" };
}

/** Database role names: an identity's external id (its role) or name; an entitlement's external reference or name. */
export const memberRole = (i: { externalId: string | null; name: string }) => i.externalId ?? i.name;
export const grantedRole = (e: { externalRef: string | null; name: string }) => e.externalRef ?? e.name;

const SCRAM_ITERATIONS = 4096;
/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 and
 * RFC 7677, in PostgreSQL's `SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey`
 * form). The role is created with the verifier, so the password itself never
 * reaches the server, its statement log or its audit log.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  // Passwords made here are ASCII, which SASLprep leaves as they are.
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** A password for one hand-out: 192 random bits, URL-safe (it sits in a connection string unescaped). */
export const newPassword = () => randomBytes(24).toString("base64url");

// Utility statements (CREATE/ALTER ROLE) take no parameters: values are quoted here, from inputs made above.
const ident = (name: string) => {
  if (name.includes("\0")) throw new DeliveryError("a role name holds a NUL byte");
  return `"${name.replace(/"/g, '""')}"`;
};
const literal = (value: string) => {
  if (/[\0\\]/.test(value)) throw new DeliveryError("a value for the target holds a NUL byte or a backslash");
  return `'${value.replace(/'/g, "''")}'`;
};

/**
 * Makes sure the grant's login role exists in the target, able to log in only
 * until validUntil (the server itself refuses password logins after it, with
 * or without the product), a member of the entitlement's role. With a
 * verifier, its password becomes that one (a new hand-out replaces the old);
 * without, a role made here gets a password nobody knows. Safe to repeat.
 */
export async function ensureLoginRole(target: postgres.Sql, r: { role: string; memberOf: string; validUntil: Date; verifier?: string }) {
  const [exists] = await target<{ member: number; login: number }[]>`select
    (select count(*) from pg_roles where rolname = ${r.memberOf})::int as member,
    (select count(*) from pg_roles where rolname = ${r.role})::int as login`;
  if (!exists.member) throw new DeliveryError(`role ${r.memberOf} does not exist on the target`);
  const until = `valid until ${literal(r.validUntil.toISOString())}`;
  const attributes = "login inherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls";
  let created = false;
  if (!exists.login) {
    try {
      await target.unsafe(`create role ${ident(r.role)} ${attributes} password ${literal(r.verifier ?? scramVerifier(newPassword()))} ${until}`);
      created = true;
    } catch (e) {
      // Made meanwhile by the other path (activation delivery, hand-out): changed below like any existing one.
      if ((e as { code?: string }).code !== "42710") throw e;
    }
  }
  if (!created) await target.unsafe(`alter role ${ident(r.role)} ${attributes}${r.verifier ? ` password ${literal(r.verifier)}` : ""} ${until}`);
  await target.unsafe(`grant ${ident(r.memberOf)} to ${ident(r.role)}`);
  return { created };
}

/** A session the target had open under a login role when it was removed. */
export type OpenSession = { pid: number; startedAt: string; client: string | null; application: string | null };

/**
 * Removes a grant's login role from the target: no new login from this
 * moment, open sessions terminated (and returned, for the evidence), what the
 * role created handed to the entitlement's role (work done under the grant is
 * kept), then the role dropped. A role that cannot be dropped (it owns objects
 * in another database) stays, unable to log in and holding nothing. Safe to
 * repeat: a role already gone reports nothing.
 */
export async function removeLoginRole(
  target: postgres.Sql,
  r: { role: string; memberOf: string },
): Promise<{ existed: boolean; dropped: boolean; sessions: OpenSession[]; detail?: string }> {
  const [exists] = await target<{ n: number }[]>`select count(*)::int as n from pg_roles where rolname = ${r.role}`;
  if (!exists.n) return { existed: false, dropped: false, sessions: [] };
  await target.unsafe(`alter role ${ident(r.role)} nologin valid until 'epoch'`);
  const sessions = await target<OpenSession[]>`select pid, to_char(backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "startedAt",
      host(client_addr) as client, nullif(application_name, '') as application
    from pg_stat_activity where usename = ${r.role} and pid <> pg_backend_pid()`;
  // Waiting (up to 5 s each) for them to be gone, so what follows sees none.
  if (sessions.length) await target`select pg_terminate_backend(pid, 5000) from pg_stat_activity where usename = ${r.role} and pid <> pg_backend_pid()`;
  const [owner] = await target<{ n: number }[]>`select count(*)::int as n from pg_roles where rolname = ${r.memberOf}`;
  try {
    await target.begin(async (t) => {
      if (owner.n) await t.unsafe(`reassign owned by ${ident(r.role)} to ${ident(r.memberOf)}`);
      await t.unsafe(`drop owned by ${ident(r.role)}`);
      await t.unsafe(`drop role ${ident(r.role)}`);
    });
    return { existed: true, dropped: true, sessions };
  } catch (e) {
    if (owner.n) await target.unsafe(`revoke ${ident(r.memberOf)} from ${ident(r.role)}`).catch(() => {});
    return { existed: true, dropped: false, sessions, detail: `kept unable to log in: ${(e as Error).message}` };
  }
}
