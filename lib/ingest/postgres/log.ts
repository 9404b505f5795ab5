// PostgreSQL server logs with pgaudit session auditing, as csvlog or jsonlog (PostgreSQL 15) write them,
// → which role exercised which privilege, when. https://www.postgresql.org/docs/15/runtime-config-logging.html
// and https://github.com/pgaudit/pgaudit#format
import { parse } from "csv-parse/sync";
import { objectAction } from "@/lib/permissions/postgres/model";
import { parseJsonLines, readLogFiles, type UnreadableLine } from "@/lib/usage/files";
import type { SessionMark, SourceFile, SourceSkip, SourceUse } from "@/lib/usage/source";

/** One log entry, whichever format it came in. */
export type PgLogEntry = {
  time: string;
  user: string | null;
  sessionId: string | null;
  lineNum: string | null;
  severity: string | null;
  message: string | null;
  /** The command the session was running (csvlog's command_tag, jsonlog's ps), its SQLSTATE and its statement, for errors. */
  commandTag: string | null;
  stateCode: string | null;
  statement: string | null;
};

// csvlog's columns, in order (PostgreSQL 15).
const CSV_COLUMNS = ["log_time", "user_name", "database_name", "process_id", "connection_from", "session_id", "session_line_num", "command_tag"] as const;

function fromCsv(text: string): (PgLogEntry | UnreadableLine)[] {
  const rows: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: true });
  return rows.map((r, i) =>
    r.length < 14
      ? { unreadableLine: i + 1 }
      : {
          time: r[0],
          user: r[CSV_COLUMNS.indexOf("user_name")] || null,
          sessionId: r[5] || null,
          lineNum: r[6] || null,
          severity: r[11] || null,
          message: r[13] || null,
          commandTag: r[7] || null,
          stateCode: r[12] || null,
          statement: r[19] || null,
        },
  );
}

function fromJson(text: string): (PgLogEntry | UnreadableLine)[] {
  return parseJsonLines(text).map((x, i) => {
    // A line of JSON that is not an object (null, a number) is unreadable as an entry.
    if (x === null || typeof x !== "object" || Array.isArray(x)) return { unreadableLine: i + 1 };
    if ((x as UnreadableLine).unreadableLine) return x as UnreadableLine;
    const o = x as Record<string, unknown>;
    const str = (k: string) => {
      const v = o[k];
      return typeof v === "string" && v !== "" ? v : null;
    };
    const time = str("timestamp");
    if (!time) return { unreadableLine: i + 1 };
    return {
      time,
      user: str("user"),
      sessionId: str("session_id"),
      lineNum: typeof o.line_num === "number" || typeof o.line_num === "string" ? String(o.line_num) : null,
      severity: str("error_severity"),
      message: str("message"),
      commandTag: str("ps"),
      stateCode: str("state_code"),
      statement: str("statement"),
    };
  });
}

/** An entry's time: the server writes `2026-11-20 10:00:00.001 UTC` (log_timezone UTC). */
const timeOf = (e: PgLogEntry) => new Date(e.time.replace(" UTC", "Z").replace(" ", "T"));

/** A log's text: jsonlog or csvlog, told apart by its first character. */
export const parsePgLog = (text: string) => (text.trimStart().startsWith("{") ? fromJson(text) : fromCsv(text));

/** Log files: *.csv, *.json, *.log (rotated and gzipped too). */
export const readPgLog = (paths: string[]): AsyncGenerator<SourceFile<PgLogEntry | UnreadableLine>> =>
  readLogFiles(paths, { accept: (n) => /\.(csv|json|log)(\.\d+)?(\.gz)?$/i.test(n), parse: parsePgLog });

/**
 * One log entry: a pgaudit SESSION line is use of the privilege its command
 * needs on its object (`public.accounts:SELECT`), or of the command itself
 * when it has no object (`:CREATE ROLE`), by the role that ran it, within its
 * session. Other lines (connections, errors, OBJECT audit lines, which repeat
 * SESSION ones) are skipped by reason.
 */
export function classifyPgLogEntry(record: PgLogEntry | UnreadableLine): SourceUse | SourceSkip {
  if ((record as UnreadableLine).unreadableLine) return { skip: "unreadable line" };
  const e = record as PgLogEntry;
  if (e.severity === "ERROR" && e.stateCode === INSUFFICIENT_PRIVILEGE) return refused(e);
  const session = sessionMark(e);
  if (session) return { skip: "connection (session evidence)", session };
  if (!e.message?.startsWith("AUDIT: SESSION,"))
    return { skip: e.message?.startsWith("AUDIT: OBJECT,") ? "object audit (repeats session audit)" : "not an audit line" };
  let fields: string[];
  try {
    const parsed: string[][] = parse(e.message.slice("AUDIT: ".length), { relax_quotes: true });
    fields = parsed[0] ?? [];
  } catch {
    return { skip: "malformed" };
  }
  const [, statementId, substatementId, , command, , objectName] = fields;
  const at = timeOf(e);
  if (!command || !e.user || !e.sessionId || !e.lineNum || Number.isNaN(at.getTime())) return { skip: "malformed" };
  if (command.length > 100 || (objectName ?? "").length > 300) return { skip: "malformed" };
  return {
    eventId: `${e.sessionId}.${e.lineNum}.${statementId}.${substatementId}`,
    principal: { key: e.user.toLowerCase(), label: e.user },
    action: objectName ? objectAction(objectName, command) : `:${command.toUpperCase()}`,
    outcome: "success",
    occurredAt: at,
    sessionId: e.sessionId,
  };
}

/** SQLSTATE 42501: the server refused a statement for want of a privilege. */
const INSUFFICIENT_PRIVILEGE = "42501";
const RELATION = /^permission denied for (table|view|materialized view|sequence|foreign table) (.+)$/;
const SCHEMA = /^permission denied for schema (.+)$/;
const ROUTINE = /^permission denied for (?:function|procedure) (.+)$/;
/**
 * `schema.name` pairs in a statement, each part quoted or not. The lookbehind
 * starts a match only where an identifier starts, so a long run of letters is
 * tried once, not once per letter; statements are read up to STATEMENT_READ.
 */
const QUALIFIED = /(?<![\w$"])("?)([A-Za-z_][\w$]*)\1\s*\.\s*("?)([A-Za-z_][\w$]*)\3/g;
const STATEMENT_READ = 64 * 1024;
/** The relation a data-changing statement writes: `insert into x`, `update x`, `delete from x`, `truncate [table] x`. */
const TARGET =
  /^\s*(?:insert\s+into|update(?:\s+only)?|delete\s+from(?:\s+only)?|truncate(?:\s+table)?(?:\s+only)?)\s+(?:("?)([A-Za-z_][\w$]*)\1\s*\.\s*)?("?)([A-Za-z_][\w$]*)\3/i;
const WRITES = new Set(["INSERT", "UPDATE", "DELETE", "TRUNCATE"]);

/** Unquoted names are folded to lower case by the server, quoted ones kept as written. */
const fold = (quote: string, name: string) => (quote ? name : name.toLowerCase());

/**
 * A statement the server refused for want of a privilege: a denied attempt at
 * the privilege it lacked on the object the message names. The message names
 * a relation without its schema: the logged statement qualifies it when it
 * names exactly one schema for it, else the name is kept as the server gave
 * it, never guessed. The privilege is the command's on the relation it
 * writes (an INSERT refused on its target); on any other relation a statement
 * only reads it (SELECT), a sequence is used (USAGE), a routine executed.
 * Messages naming no object (or in another language) are skipped by reason.
 */
function refused(e: PgLogEntry): SourceUse | SourceSkip {
  const at = timeOf(e);
  const command = e.commandTag?.toUpperCase() ?? "";
  if (!e.user || !e.sessionId || !e.lineNum || !e.message || !command || command.length > 100 || Number.isNaN(at.getTime())) return { skip: "malformed" };
  const statement = (e.statement ?? "").slice(0, STATEMENT_READ);
  const relation = RELATION.exec(e.message);
  const schema = SCHEMA.exec(e.message)?.[1];
  const routine = ROUTINE.exec(e.message)?.[1];
  let action: string;
  if (relation) {
    const [, kind, name] = relation;
    const schemas = new Set([...statement.matchAll(QUALIFIED)].filter((m) => fold(m[3], m[4]) === name).map((m) => fold(m[1], m[2])));
    const object = schemas.size === 1 ? `${[...schemas][0]}.${name}` : name;
    const target = TARGET.exec(statement);
    const writesIt = target ? fold(target[3], target[4]) === name : !statement;
    const privilege = kind === "sequence" ? "USAGE" : WRITES.has(command) && writesIt ? command : "SELECT";
    action = objectAction(object, privilege);
  } else if (schema) action = objectAction(schema, "USAGE");
  else if (routine) action = objectAction(routine, "EXECUTE");
  else return { skip: "refused (no object named)" };
  if (action.length > 300) return { skip: "malformed" };
  return {
    eventId: `${e.sessionId}.${e.lineNum}.refused`,
    principal: { key: e.user.toLowerCase(), label: e.user },
    action,
    outcome: "denied",
    occurredAt: at,
    sessionId: e.sessionId,
  };
}

const DISCONNECTION = /^disconnection: session time: \d+:\d{2}:\d{2}\.\d{3} user=/;

/**
 * log_connections' "connection authorized" starts a session, log_disconnections'
 * "disconnection" ends it: the session's login and logout, kept as evidence
 * (the connection itself exercises no object privilege).
 */
function sessionMark(e: PgLogEntry): SessionMark | null {
  // The server's own lines: at LOG, a login while authenticating, a logout with its session time (a RAISE LOG
  // of the same words runs inside a statement, never in the authentication state).
  if (e.severity !== "LOG") return null;
  const kind =
    e.message?.startsWith("connection authorized:") && e.commandTag === "authentication"
      ? "start"
      : DISCONNECTION.test(e.message ?? "") && (!e.commandTag || e.commandTag.startsWith("idle"))
        ? "end"
        : null;
  if (!kind || !e.user || !e.sessionId || !e.lineNum) return null;
  const occurredAt = timeOf(e);
  if (Number.isNaN(occurredAt.getTime()) || e.sessionId.length > 200) return null;
  return {
    kind,
    eventId: `${e.sessionId}.${e.lineNum}.${kind}`,
    principal: e.user.toLowerCase(),
    sessionId: e.sessionId,
    occurredAt,
    detail: e.message!.slice(0, 500),
  };
}
