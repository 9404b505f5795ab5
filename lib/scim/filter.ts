// Filters are parsed by scim2-parse-filter (Unlicense, the parser scim-patch
// itself builds on, ~1M downloads a month): it returns a plain AST for the
// whole RFC 7644 §3.4.2.2 grammar (and/or/not, grouping, value paths), which
// we translate to SQL here so lists are filtered by the database, never in memory.
// SCIMMY was the other candidate; its filters are tied to its own schema
// classes and resource handlers, and it mis-parses escaped quotes in values.
import { sql, type SQL } from "drizzle-orm";
import { parse, type Filter } from "scim2-parse-filter";
import { badRequest } from "./errors";
import { isUuid } from "./resource";

export type ScalarType = "string" | "boolean" | "dateTime" | "uuid";
/** An attribute held in one SQL expression. */
export type ScalarAttribute = { type: ScalarType; expr: SQL; caseExact?: boolean };
/** A multi-valued complex attribute: its values are rows a correlated subquery can test. */
export type MultiAttribute = {
  type: "multi";
  /** Sub-attributes by lower-case name. */
  sub: Record<string, ScalarAttribute>;
  /** `emails co "x"` means `emails.value co "x"`. */
  defaultSub: string;
  /** True when some value satisfies the condition. */
  some: (condition: SQL) => SQL;
};
export type Attribute = ScalarAttribute | MultiAttribute;

/**
 * The attributes of one resource type, by lower-case path relative to its
 * core schema; extension attributes are keyed `<prefix>:<path>`. Attributes
 * the schema defines but this product does not keep never match.
 */
export type AttributeMap = {
  coreUrn: string;
  extensions: Record<string, string>;
  attributes: Record<string, Attribute>;
  unkept?: string[];
};

/** Longest filter and deepest bracketing accepted: identity providers send a comparison or a few; each bracket level is a level of SQL. */
export const MAX_FILTER_LENGTH = 4000;
export const MAX_FILTER_NESTING = 16;

/** How deep the filter's brackets ( ) and [ ] nest, outside quoted strings: checked before the parser or the database sees it. */
export function filterNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "(" || c === "[") deepest = Math.max(deepest, ++depth);
    else if (c === ")" || c === "]") depth--;
  }
  return deepest;
}

/** Parses a filter, answering 400 invalidFilter for anything the grammar rejects, a filter too long or nested too deep. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw badRequest("invalidFilter", `The filter is longer than ${MAX_FILTER_LENGTH.toLocaleString("en")} characters.`);
  if (filterNesting(text) > MAX_FILTER_NESTING) throw badRequest("invalidFilter", `The filter nests brackets deeper than ${MAX_FILTER_NESTING} levels.`);
  try {
    return parse(text);
  } catch (error) {
    throw badRequest("invalidFilter", `The filter ${JSON.stringify(text)} is not valid: ${(error as Error).message}.`);
  }
}

/** An attribute path relative to the resource: the core URN dropped, an extension's URN replaced by its prefix, lower case. */
export function normalizePath(path: string, map: Pick<AttributeMap, "coreUrn" | "extensions">): string {
  const lower = path.trim().toLowerCase();
  const core = map.coreUrn.toLowerCase() + ":";
  if (lower.startsWith(core)) return lower.slice(core.length);
  for (const [urn, prefix] of Object.entries(map.extensions)) {
    const u = urn.toLowerCase() + ":";
    if (lower.startsWith(u)) return `${prefix}:${lower.slice(u.length)}`;
  }
  return lower;
}

/** The filter as a SQL condition over the resource's table. */
export function filterToSql(filter: Filter, map: AttributeMap): SQL {
  return translate(filter, map);
}

function translate(f: Filter, map: AttributeMap): SQL {
  switch (f.op) {
    case "and":
    case "or":
      return sql`(${sql.join(
        f.filters.map((x) => translate(x, map)),
        sql.raw(` ${f.op} `),
      )})`;
    case "not":
      return sql`(not ${translate(f.filter, map)})`;
    case "[]": {
      const path = normalizePath(f.attrPath, map);
      const attr = map.attributes[path];
      if (!attr || attr.type !== "multi") return unknownOrUnkept(path, f.attrPath, map);
      return attr.some(translateValueFilter(f.valFilter, attr, f.attrPath));
    }
    default:
      return compareAt(f.attrPath, f.op, "compValue" in f ? f.compValue : undefined, map);
  }
}

/** Inside `emails[...]`: paths name sub-attributes of one value. */
function translateValueFilter(f: Filter, multi: MultiAttribute, parent: string): SQL {
  switch (f.op) {
    case "and":
    case "or":
      return sql`(${sql.join(
        f.filters.map((x) => translateValueFilter(x, multi, parent)),
        sql.raw(` ${f.op} `),
      )})`;
    case "not":
      return sql`(not ${translateValueFilter(f.filter, multi, parent)})`;
    case "[]":
      throw badRequest("invalidFilter", `Value filters cannot nest inside ${parent}[...].`);
    default: {
      const sub = multi.sub[f.attrPath.toLowerCase()];
      if (!sub) throw badRequest("invalidFilter", `${parent} has no sub-attribute ${JSON.stringify(f.attrPath)}.`);
      return compare(sub, f.op, "compValue" in f ? f.compValue : undefined, `${parent}.${f.attrPath}`);
    }
  }
}

function compareAt(rawPath: string, op: string, value: unknown, map: AttributeMap): SQL {
  const path = normalizePath(rawPath, map);
  const direct = map.attributes[path];
  if (direct?.type === "multi") return direct.some(compare(direct.sub[direct.defaultSub], op, value, rawPath));
  if (direct) return compare(direct, op, value, rawPath);
  // emails.value, members.display: a sub-attribute of a multi-valued attribute.
  const dot = path.lastIndexOf(".");
  if (dot > 0) {
    const parent = map.attributes[path.slice(0, dot)];
    if (parent?.type === "multi") {
      const sub = parent.sub[path.slice(dot + 1)];
      if (!sub) throw badRequest("invalidFilter", `Unknown attribute ${JSON.stringify(rawPath)} in the filter.`);
      return parent.some(compare(sub, op, value, rawPath));
    }
  }
  return unknownOrUnkept(path, rawPath, map);
}

function unknownOrUnkept(path: string, rawPath: string, map: AttributeMap): SQL {
  if (map.unkept?.some((u) => path === u || path.startsWith(`${u}.`))) return sql`false`;
  throw badRequest("invalidFilter", `Unknown attribute ${JSON.stringify(rawPath)} in the filter.`);
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A comparison with a value, false (never null) where the attribute has none,
 * so `not` reads as RFC 7644 says. Unlike coalesce(…, false) the comparison
 * stays a plain condition the planner can answer from an index (the primary
 * key for `id eq`, an expression index for userName).
 */
const valued = (condition: SQL, attribute: SQL) => sql`(${condition} and ${attribute} is not null)`;

/**
 * One comparison, null-safe: an attribute without a value matches nothing
 * but `ne` (and `not`), as RFC 7644 §3.4.2.2 reads for unassigned values.
 */
export function compare(attr: ScalarAttribute, op: string, value: unknown, path: string): SQL {
  const e = attr.expr;
  if (op === "pr") return attr.type === "string" ? sql`coalesce(${e} <> '', false)` : sql`(${e} is not null)`;
  if (value === null) {
    if (op === "eq") return attr.type === "string" ? sql`coalesce(${e} = '', true)` : sql`(${e} is null)`;
    if (op === "ne") return compare(attr, "pr", undefined, path);
    throw badRequest("invalidFilter", `${path} ${op} null is not a comparison.`);
  }
  switch (attr.type) {
    case "boolean": {
      const b = typeof value === "boolean" ? value : typeof value === "string" && /^(true|false)$/i.test(value) ? value.toLowerCase() === "true" : undefined;
      if (b === undefined) throw badRequest("invalidFilter", `${path} is true or false, not ${JSON.stringify(value)}.`);
      const lit = sql.raw(b ? "true" : "false");
      if (op === "eq") return valued(sql`${e} = ${lit}`, e);
      if (op === "ne") return sql`(${e} is distinct from ${lit})`;
      throw badRequest("invalidFilter", `${path} is a boolean: use eq, ne or pr, not ${op}.`);
    }
    case "dateTime": {
      const at = typeof value === "string" ? new Date(value) : undefined;
      if (!at || Number.isNaN(at.getTime()))
        throw badRequest("invalidFilter", `${path} compares with a date and time such as "2026-01-31T12:00:00Z", not ${JSON.stringify(value)}.`);
      const v = sql`${at.toISOString()}::timestamptz`;
      // Resources show times to the millisecond; compare at that precision.
      const t = sql`date_trunc('milliseconds', ${e})`;
      const ops: Record<string, SQL> = {
        eq: sql`${t} = ${v}`,
        ne: sql`${t} is distinct from ${v}`,
        gt: sql`${t} > ${v}`,
        ge: sql`${t} >= ${v}`,
        lt: sql`${t} < ${v}`,
        le: sql`${t} <= ${v}`,
      };
      if (!ops[op]) throw badRequest("invalidFilter", `${path} is a date and time: use eq, ne, gt, ge, lt, le or pr, not ${op}.`);
      return op === "ne" ? ops.ne : valued(ops[op], e);
    }
    case "uuid": {
      if (typeof value !== "string") throw badRequest("invalidFilter", `${path} compares with a string, not ${JSON.stringify(value)}.`);
      // Exact matches use the id as stored (and its index); an id we never issued matches nothing.
      if (op === "eq") return isUuid(value) ? valued(sql`${e} = ${value.toLowerCase()}::uuid`, e) : sql`false`;
      if (op === "ne") return isUuid(value) ? sql`(${e} is distinct from ${value.toLowerCase()}::uuid)` : sql`true`;
      return compareText(sql`${e}::text`, false, op, value, path);
    }
    case "string":
      if (typeof value === "boolean") throw badRequest("invalidFilter", `${path} is a string, not a boolean.`);
      // A filter value is a JSON primitive: a number (or null) compares as its JSON text.
      return compareText(e, !!attr.caseExact, op, typeof value === "string" ? value : (JSON.stringify(value) ?? ""), path);
  }
}

function compareText(expr: SQL, caseExact: boolean, op: string, value: string, path: string): SQL {
  const e = caseExact ? expr : sql`lower(${expr})`;
  const v = caseExact ? sql`${value}::text` : sql`lower(${value}::text)`;
  const like = (pattern: string) => (caseExact ? sql`${pattern}::text` : sql`lower(${pattern}::text)`);
  let condition: SQL;
  switch (op) {
    case "eq":
      condition = sql`${e} = ${v}`;
      break;
    case "ne":
      return sql`(${e} is distinct from ${v})`;
    case "co":
      condition = sql`${e} like ${like(`%${likeEscape(value)}%`)} escape '\\'`;
      break;
    case "sw":
      condition = sql`${e} like ${like(`${likeEscape(value)}%`)} escape '\\'`;
      break;
    case "ew":
      condition = sql`${e} like ${like(`%${likeEscape(value)}`)} escape '\\'`;
      break;
    case "gt":
      condition = sql`${e} > ${v}`;
      break;
    case "ge":
      condition = sql`${e} >= ${v}`;
      break;
    case "lt":
      condition = sql`${e} < ${v}`;
      break;
    case "le":
      condition = sql`${e} <= ${v}`;
      break;
    default:
      throw badRequest("invalidFilter", `Unknown operator ${JSON.stringify(op)} for ${path}.`);
  }
  return valued(condition, e);
}

/** A multi-valued attribute kept as a JSON array: `some` tests its elements, aliased e(v). */
export function jsonArrayAttribute(source: SQL, subs: Record<string, ScalarType>, defaultSub = "value"): MultiAttribute {
  const sub: Record<string, ScalarAttribute> = {};
  for (const [name, type] of Object.entries(subs)) {
    const text = sql`(e.v ->> ${sql.raw(`'${name}'`)})`;
    sub[name.toLowerCase()] = type === "boolean" ? { type, expr: sql`(lower(${text}) = 'true')` } : { type, expr: text };
  }
  return {
    type: "multi",
    sub,
    defaultSub,
    some: (condition) =>
      sql`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${source}) = 'array' then ${source} else '[]'::jsonb end) as e(v) where ${condition})`,
  };
}
