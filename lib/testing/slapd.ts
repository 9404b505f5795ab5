import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Attribute, Change, Client, InvalidCredentialsError } from "ldapts";
import { freePort, waitListening } from "./net";

const run = promisify(execFile);
const SLAPD = "/usr/sbin/slapd";

/** Whether a real slapd can be started here: Debian's slapd package (.ci/run installs it), with its ppolicy overlay. */
export const slapdAvailable = () => existsSync(SLAPD) && existsSync("/usr/lib/ldap/ppolicy.so");

export const SUFFIX = "dc=example,dc=org";
export const GRANTS = `ou=gov-grants,${SUFFIX}`;
export const personDn = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;
export const groupDn = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;

export type TestSlapd = {
  port: number;
  /** The connector's URL: bound as the directory's admin, per-grant accounts in ou=gov-grants. */
  url: string;
  /** Binds as dn with password: "ok", or "refused" (invalid credentials). */
  bind(dn: string, password: string): Promise<"ok" | "refused">;
  /** The group's members as the directory holds them (read as the admin). */
  members(group: string): Promise<string[]>;
  /** Adds or removes a member behind the product's back (an out-of-band change). */
  addMember(group: string, member: string): Promise<void>;
  removeMember(group: string, member: string): Promise<void>;
  stop(): void;
};

/**
 * Starts slapd on a free loopback port with a small directory: people
 * (alice, bob, carol, each with a password), groups (dba, ops) and the
 * container for per-grant accounts, on an mdb database with the ppolicy
 * overlay (which enforces pwdEndTime). A port and admin password may be
 * fixed (the e2e test's app names the directory before the test starts it).
 */
export async function startSlapd(fixed: { port?: number; secret?: string } = {}): Promise<TestSlapd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gov-slapd-"));
  const port = fixed.port ?? (await freePort());
  const admin = `cn=admin,${SUFFIX}`;
  const secret = fixed.secret ?? randomBytes(12).toString("hex");
  mkdirSync(path.join(dir, "config"));
  mkdirSync(path.join(dir, "data"));
  const config = `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${path.join(dir, "slapd.pid")}

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: ${path.join(dir, "data")}
olcSuffix: ${SUFFIX}
olcRootDN: ${admin}
olcRootPW: ${secret}
olcDbMaxSize: 67108864

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
`;
  const person = (uid: string) => `dn: ${personDn(uid)}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid}
sn: ${uid}
mail: ${uid}@example.org
userPassword: ${uid}-password
`;
  const group = (cn: string) => `dn: ${groupDn(cn)}
objectClass: groupOfNames
cn: ${cn}
member:
`;
  const data = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    ...["people", "groups", "gov-grants"].map((ou) => `dn: ou=${ou},${SUFFIX}\nobjectClass: organizationalUnit\nou: ${ou}\n`),
    ...["alice", "bob", "carol"].map(person),
    ...["dba", "ops"].map(group),
  ].join("\n");
  writeFileSync(path.join(dir, "config.ldif"), config);
  writeFileSync(path.join(dir, "data.ldif"), data);
  await run("slapadd", ["-n0", "-F", path.join(dir, "config"), "-l", path.join(dir, "config.ldif")]);
  await run("slapadd", ["-n1", "-F", path.join(dir, "config"), "-l", path.join(dir, "data.ldif")]);
  const slapd: ChildProcess = spawn(SLAPD, ["-h", `ldap://127.0.0.1:${port}/`, "-F", path.join(dir, "config"), "-d", "0"], { stdio: "ignore" });
  await waitListening(port);
  const url = `ldap://127.0.0.1:${port}`;
  const asAdmin = async <T>(fn: (c: Client) => Promise<T>) => {
    const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
    try {
      await client.bind(admin, secret);
      return await fn(client);
    } finally {
      await client.unbind().catch(() => {});
    }
  };
  return {
    port,
    url: `ldap://${encodeURIComponent(admin)}:${secret}@127.0.0.1:${port}/${GRANTS}`,
    async bind(dn, password) {
      const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
      try {
        await client.bind(dn, password);
        return "ok";
      } catch (e) {
        if (e instanceof InvalidCredentialsError) return "refused";
        throw e;
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    members: (g) =>
      asAdmin(async (c) => {
        const { searchEntries } = await c.search(g, { scope: "base", attributes: ["member"] });
        return ([] as unknown[])
          .concat(searchEntries[0]?.member ?? [])
          .map(String)
          .filter((m) => m.trim());
      }),
    removeMember: (g, member) =>
      asAdmin((c) => c.modify(g, new Change({ operation: "delete", modification: new Attribute({ type: "member", values: [member] }) }))),
    addMember: (g, member) => asAdmin((c) => c.modify(g, new Change({ operation: "add", modification: new Attribute({ type: "member", values: [member] }) }))),
    stop() {
      slapd.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
