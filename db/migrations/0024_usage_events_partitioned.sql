-- Usage events become a table partitioned by month of occurred_at (UTC), so
-- retention drops whole months (lib/usage/retention.ts) instead of deleting
-- rows. A partitioned table's unique keys hold the partition column: the key
-- is the source's event id with its time. The per-event foreign keys go: the
-- same statement's roll-ups check identity and entitlement once per roll-up
-- row, and none of the three tables is ever deleted from.
ALTER TABLE "usage_events" RENAME TO "usage_events_unpartitioned";--> statement-breakpoint
ALTER INDEX "usage_events_identity_time_idx" RENAME TO "usage_events_unpartitioned_identity_time_idx";--> statement-breakpoint
CREATE TABLE "usage_events" (
	"event_id" text NOT NULL,
	"source" text NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid,
	"system_id" uuid,
	"action" text NOT NULL,
	"outcome" "usage_outcome" NOT NULL,
	"session_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_events_source_event_id_occurred_at_pk" PRIMARY KEY("source","event_id","occurred_at")
) PARTITION BY RANGE ("occurred_at");--> statement-breakpoint
CREATE INDEX "usage_events_identity_time_idx" ON "usage_events" USING btree ("identity_id","occurred_at");--> statement-breakpoint
-- Creates the month partitions (usage_events_YYYY_MM, UTC months) from the
-- month of `first` to the month of `last`, those missing only. Concurrent
-- callers are serialised on an advisory lock.
CREATE FUNCTION usage_events_cover(first timestamptz, last timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  m timestamp := date_trunc('month', first AT TIME ZONE 'UTC');
  stop timestamp := date_trunc('month', last AT TIME ZONE 'UTC');
  part text;
  created integer := 0;
BEGIN
  WHILE m <= stop LOOP
    part := 'usage_events_' || to_char(m, 'YYYY_MM');
    IF to_regclass(part) IS NULL THEN
      PERFORM pg_advisory_xact_lock(7244002);
      -- The lock does not refresh this session's catalogue cache, so a partition
      -- another caller just created may still look missing: creating it then fails
      -- as a duplicate, which is the answer wanted.
      -- Created apart, then attached: ATTACH takes a SHARE UPDATE EXCLUSIVE lock on usage_events, which
      -- writers' inserts do not wait on (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE until commit).
      BEGIN
        EXECUTE format('CREATE TABLE %I (LIKE usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format('ALTER TABLE usage_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
          part, m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
        created := created + 1;
      EXCEPTION WHEN duplicate_table THEN
        NULL;
      END;
    END IF;
    m := m + interval '1 month';
  END LOOP;
  RETURN created;
END $$;--> statement-breakpoint
-- The months that hold events, not every month between the first and the last (one stray 1970 event would make hundreds).
SELECT usage_events_cover(m, m) FROM (SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m FROM "usage_events_unpartitioned") months;--> statement-breakpoint
INSERT INTO "usage_events" ("event_id", "source", "identity_id", "entitlement_id", "system_id", "action", "outcome", "session_id", "occurred_at", "received_at")
SELECT "event_id", "source", "identity_id", "entitlement_id", "system_id", "action", "outcome", "session_id", "occurred_at", "received_at" FROM "usage_events_unpartitioned";--> statement-breakpoint
DROP TABLE "usage_events_unpartitioned";
