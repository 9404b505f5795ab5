import { describe, expect, it } from "vitest";
import { classifyPgLogEntry, type PgLogEntry } from "./log";

const line = (over: Partial<PgLogEntry>): PgLogEntry => ({
  time: "2026-11-20 10:00:00.000 UTC",
  user: "app",
  sessionId: "6560a1b2.1092",
  lineNum: "7",
  severity: "ERROR",
  message: null,
  commandTag: null,
  stateCode: null,
  statement: null,
  ...over,
});
const denied = (message: string, commandTag: string, statement: string | null) =>
  classifyPgLogEntry(line({ stateCode: "42501", message, commandTag, statement }));

describe("refused statements in a PostgreSQL log", () => {
  it("are denied attempts at the privilege lacked: the command's on the relation it writes, reading on any other", () => {
    expect(denied("permission denied for table ledger", "INSERT", "insert into pay.ledger values (1)")).toMatchObject({
      action: "pay.ledger:INSERT",
      outcome: "denied",
    });
    // The insert's source was refused, not its target: the statement lacked SELECT on it.
    expect(denied("permission denied for table accounts", "INSERT", "insert into pay.ledger select * from pay.accounts")).toMatchObject({
      action: "pay.accounts:SELECT",
    });
    expect(denied("permission denied for sequence ledger_id_seq", "INSERT", "insert into pay.ledger values (nextval('pay.ledger_id_seq'))")).toMatchObject({
      action: "pay.ledger_id_seq:USAGE",
    });
    expect(denied("permission denied for schema pay", "SELECT", "select 1 from pay.x")).toMatchObject({ action: "pay:USAGE" });
    expect(denied("permission denied for function transfer", "SELECT", "select transfer(1, 2)")).toMatchObject({ action: "transfer:EXECUTE" });
  });

  it("qualify the relation only when the statement names exactly one schema for it, never guessing", () => {
    expect(denied("permission denied for table ledger", "SELECT", "select * from a.ledger join b.ledger using (id)")).toMatchObject({
      action: "ledger:SELECT",
    });
    expect(denied("permission denied for table ledger", "SELECT", 'select * from "Pay".ledger')).toMatchObject({ action: "Pay.ledger:SELECT" });
    expect(denied("permission denied for table ledger", "DELETE", null)).toMatchObject({ action: "ledger:DELETE" });
  });

  it("skip messages naming no object, and read a huge statement in linear time", () => {
    expect(denied("permission denied to create role", "CREATE ROLE", "create role x")).toEqual({ skip: "refused (no object named)" });
    expect(denied("keine Berechtigung für Tabelle ledger", "SELECT", "select * from pay.ledger")).toEqual({ skip: "refused (no object named)" });
    const started = performance.now();
    const r = denied("permission denied for table ledger", "SELECT", `select '${"a".repeat(500_000)}' from pay.ledger`);
    expect(performance.now() - started).toBeLessThan(1000);
    // Its table is named past the part read: kept as the server named it.
    expect(r).toMatchObject({ action: "ledger:SELECT" });
    expect(denied("permission denied for table ledger", "SELECT", `select * from pay.ledger where note = '${"a".repeat(50_000)}'`)).toMatchObject({
      action: "pay.ledger:SELECT",
    });
  });
});

describe("sessions in a PostgreSQL log", () => {
  const mark = (over: Partial<PgLogEntry>) => classifyPgLogEntry(line({ severity: "LOG", ...over }));
  it("start at the server's login line and end at its logout line", () => {
    expect(mark({ message: "connection authorized: user=app database=pay", commandTag: "authentication" })).toMatchObject({ session: { kind: "start" } });
    expect(mark({ message: "disconnection: session time: 0:00:01.013 user=app database=pay host=[local]", commandTag: "idle" })).toMatchObject({
      session: { kind: "end" },
    });
  });
  it("are not started or ended by a statement raising the same words", () => {
    expect(mark({ message: "connection authorized: user=app database=pay", commandTag: "DO" })).not.toHaveProperty("session");
    expect(mark({ message: "disconnection: session time: 0:00:01.013 user=app database=pay", commandTag: "SELECT" })).not.toHaveProperty("session");
    expect(mark({ severity: "NOTICE", message: "connection authorized: user=app", commandTag: "authentication" })).not.toHaveProperty("session");
  });
});
