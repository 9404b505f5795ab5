import type { Db } from "@/db/client";

/**
 * What a usage source provides; lib/usage/import.ts does the rest (batching,
 * attribution to entitlements, idempotent storage, roll-ups, reporting). A new
 * source is one folder holding its parser, its principal index and a value of
 * this type, plus a line in the CLI.
 */
export type UsageSource<R = unknown> = {
  /** Stored with each event: with the event's id, the key that makes a re-import change nothing. */
  tag: string;
  /** The files' records, file by file (directories searched, compressed files read), or why a file could not be read. */
  read: (paths: string[]) => AsyncIterable<SourceFile<R>>;
  /** One record: usage by a principal, or why it is not. */
  classify: (record: R) => SourceUse | SourceSkip;
  /** The inventory's principals, keyed as `classify` keys them. */
  principals: (db: Db) => Promise<PrincipalIndex>;
  /** Loads what `classify` needs (an action catalogue), before the first record. */
  prepare?: () => Promise<void>;
  /**
   * The source's sessions are session evidence (a server's own log): its
   * sessions' start and end lines (skips carrying `session`) and every use
   * within a session are stored as privileged sessions linked to the grant
   * that covered them (lib/usage/session-evidence.ts).
   */
  sessions?: true;
};

export type SourceFile<R> = { file: string; records: R[] } | { file: string; error: string };

/** A record that is usage (or a refused attempt) by a principal. */
export type SourceUse = {
  /** The source's own id for the event. */
  eventId: string;
  /**
   * `key` as the principal index keys it; `label` names it in the report of
   * principals the inventory lacks; `quietWhenUnknown`, when the inventory
   * lacks it, skips the record for that reason instead of reporting the
   * principal (a cluster's control plane).
   */
  principal: { key: string; label: string; quietWhenUnknown?: string };
  action: string;
  /** Further actions the same request exercised, each stored as its own use (its event id suffixed with the action). */
  alsoActions?: readonly string[];
  outcome: "success" | "denied";
  occurredAt: Date;
  sessionId: string | null;
  /**
   * The record shows the source logs this service's calls in `system` (a key
   * of the index's systems) at all. `complete`: every call of this kind is
   * logged, so a day with none of them is a day without use (CloudTrail data
   * events for S3 or Lambda, which are logged only where configured).
   */
  coverage?: { service: string; system: string; complete: boolean };
};

/**
 * Why a record is not usage by a known principal; `principal` names a caller
 * the import should report as unknown; `detail` what exactly was skipped (an
 * event the source cannot map to an action), counted in the summary.
 */
export type SourceSkip = { skip: string; principal?: string; detail?: string; session?: SessionMark };

/** A line that starts or ends a session (a connection authorised, a disconnection), by `principal` as the index keys it. */
export type SessionMark = { kind: "start" | "end"; eventId: string; principal: string; sessionId: string; occurredAt: Date; detail: string | null };

export type PrincipalIndex = {
  /** Identities by the key `classify` gives their principals. */
  identities: Map<string, { identityId: string; systemId: string }>;
  /** Systems by the key coverage names them with, including those whose identities are all gone. */
  systems: Map<string, string>;
};
