ALTER TABLE "audit_log" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "key_id" text;--> statement-breakpoint
-- Rows written before the chain was keyed keep their plain SHA-256 hashes and get
-- their positions in chain order; the first keyed row (signed over the last of
-- their hashes) and the first signed checkpoint anchor them.
UPDATE "audit_log" AS a SET "seq" = n.seq FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS seq FROM "audit_log") AS n WHERE a."id" = n."id";--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
-- The audit log is append-only: UPDATE, DELETE and TRUNCATE are refused. The one
-- exception is the retention purge (lib/audit/purge.ts, `gov audit purge`), which
-- writes its own audit row and names, for its own transaction only, the newest row
-- it removes. A superuser can still disable triggers (ALTER TABLE ... DISABLE
-- TRIGGER, session_replication_role = replica): that is why rows are signed with
-- a key kept outside the database and signed checkpoints of the head are written
-- outside it too; this trigger stops mistakes and the application's own role.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.id <= coalesce(nullif(current_setting('gov.audit_purge_through', true), '')::bigint, 0) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Rows leave the audit log only through the audited retention purge (gov audit purge --before <date>).';
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
