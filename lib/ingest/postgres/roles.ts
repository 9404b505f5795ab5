// A PostgreSQL server's roles and who may do what, read from its catalogues:
// pg_roles (attributes), pg_auth_members (memberships), information_schema.role_table_grants
// (table privileges granted to roles, PUBLIC left out) and pg_default_acl (privileges on objects yet to be created). Read-only: a role with pg_read_all_settings or
// plain membership of the catalogues' readers is enough.
import postgres from "postgres";
import { ValidationError } from "@/lib/errors";
import { grantOfRole } from "@/lib/permissions/grant-accounts";
import { objectAction } from "@/lib/permissions/postgres/model";

/**
 * Privileges a role will get on objects another role creates from now on
 * (ALTER DEFAULT PRIVILEGES): in one schema, or in any (`schema` null).
 */
export type PgDefaultPrivilege = { owner: string; schema: string | null; objects: "tables" | "sequences" | "functions"; privileges: string[] };

export type PgRole = {
  name: string;
  canLogin: boolean;
  attributes: string[];
  privileges: string[];
  memberOf: string[];
  defaultPrivileges: PgDefaultPrivilege[];
};

// pg_default_acl's object types the inventory reads (types' and schemas' defaults grant no access to data).
const DEFAULT_OBJECTS = { r: "tables", S: "sequences", f: "functions" } as const;

/** The server's own roles (pg_*) are its machinery, and a JIT grant's login role is the product's: neither is an identity. */
const isSystemRole = (name: string) => name.startsWith("pg_") || grantOfRole(name) !== null;

export async function readPostgresRoles(url: string): Promise<PgRole[]> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ValidationError({ url: ["A PostgreSQL URL starts with postgres://."] });
  const sql = postgres(url, { max: 1, connect_timeout: 10, idle_timeout: 5, onnotice: () => {} });
  try {
    const [roles, members, grants, defaults] = await Promise.all([
      sql<{ name: string; login: boolean; superuser: boolean; createrole: boolean; bypassrls: boolean; createdb: boolean; replication: boolean }[]>`
        select rolname as name, rolcanlogin as login, rolsuper as superuser, rolcreaterole as createrole, rolbypassrls as bypassrls,
          rolcreatedb as createdb, rolreplication as replication from pg_roles`,
      sql<{ role: string; member: string }[]>`select r.rolname as role, m.rolname as member from pg_auth_members am
        join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member`,
      sql<{ grantee: string; object: string; privilege: string }[]>`select grantee, table_schema || '.' || table_name as object, privilege_type as privilege
        from information_schema.role_table_grants where grantee <> 'PUBLIC' and table_schema not in ('pg_catalog', 'information_schema')`,
      // Each default ACL entry, its grantee a role (not PUBLIC) other than the owner (whose own entry is its ownership).
      sql<{ owner: string; schema: string | null; type: string; grantee: string; privilege: string }[]>`
        select o.rolname as owner, n.nspname as schema, d.defaclobjtype::text as type, g.rolname as grantee, a.privilege_type as privilege
        from pg_default_acl d join pg_roles o on o.oid = d.defaclrole left join pg_namespace n on n.oid = d.defaclnamespace
        cross join lateral aclexplode(d.defaclacl) a join pg_roles g on g.oid = a.grantee
        where a.grantee <> d.defaclrole and d.defaclobjtype::text in ('r', 'S', 'f')
        order by 1, 2, 3, 4, 5`,
    ]);
    const byName = new Map<string, PgRole>();
    for (const r of roles) {
      if (isSystemRole(r.name)) continue;
      const attributes = [
        ...(r.superuser ? ["SUPERUSER"] : []),
        ...(r.createrole ? ["CREATEROLE"] : []),
        ...(r.bypassrls ? ["BYPASSRLS"] : []),
        ...(r.createdb ? ["CREATEDB"] : []),
        ...(r.replication ? ["REPLICATION"] : []),
      ];
      byName.set(r.name, { name: r.name, canLogin: r.login, attributes, privileges: [], memberOf: [], defaultPrivileges: [] });
    }
    for (const d of defaults) {
      const role = byName.get(d.grantee);
      if (!role) continue;
      const objects = DEFAULT_OBJECTS[d.type as keyof typeof DEFAULT_OBJECTS];
      const same = role.defaultPrivileges.find((x) => x.owner === d.owner && x.schema === d.schema && x.objects === objects);
      if (same) same.privileges.push(d.privilege);
      else role.defaultPrivileges.push({ owner: d.owner, schema: d.schema, objects, privileges: [d.privilege] });
    }
    for (const g of grants) byName.get(g.grantee)?.privileges.push(objectAction(g.object, g.privilege));
    for (const m of members) if (byName.has(m.role)) byName.get(m.member)?.memberOf.push(m.role);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError({ url: [`The server could not be read: ${(e as Error).message}`] });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
