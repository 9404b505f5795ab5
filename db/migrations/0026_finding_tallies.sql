CREATE TABLE "finding_tallies" (
	"status" "finding_status" NOT NULL,
	"kind" "finding_kind" NOT NULL,
	"severity" "finding_severity" NOT NULL,
	"system_id" uuid,
	"identity_kind" "identity_kind" NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "finding_tallies_status_idx" ON "finding_tallies" USING btree ("status","kind");--> statement-breakpoint
-- Kept in the same transaction as every change to findings, one statement at a
-- time (transition tables, so a reconciliation merging 600,000 findings adds
-- one grouped insert, not 600,000): each statement appends its net change by
-- (status, kind, severity, system, kind of subject).
CREATE FUNCTION finding_tallies_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finding_tallies (status, kind, severity, system_id, identity_kind, n)
  SELECT f.status, f.kind, f.severity, f.system_id, i.kind, count(*) FROM tally_new f JOIN identities i ON i.id = f.identity_id GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION finding_tallies_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finding_tallies (status, kind, severity, system_id, identity_kind, n)
  SELECT f.status, f.kind, f.severity, f.system_id, i.kind, -count(*) FROM tally_old f JOIN identities i ON i.id = f.identity_id GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION finding_tallies_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finding_tallies (status, kind, severity, system_id, identity_kind, n)
  SELECT c.status, c.kind, c.severity, c.system_id, i.kind, sum(c.d) FROM (
    SELECT identity_id, status, kind, severity, system_id, -1 AS d FROM tally_old
    UNION ALL
    SELECT identity_id, status, kind, severity, system_id, 1 FROM tally_new
  ) c JOIN identities i ON i.id = c.identity_id
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.d) <> 0;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER findings_tally_insert AFTER INSERT ON findings REFERENCING NEW TABLE AS tally_new FOR EACH STATEMENT EXECUTE FUNCTION finding_tallies_add();--> statement-breakpoint
CREATE TRIGGER findings_tally_delete AFTER DELETE ON findings REFERENCING OLD TABLE AS tally_old FOR EACH STATEMENT EXECUTE FUNCTION finding_tallies_remove();--> statement-breakpoint
CREATE TRIGGER findings_tally_update AFTER UPDATE ON findings REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new FOR EACH STATEMENT EXECUTE FUNCTION finding_tallies_change();--> statement-breakpoint
-- A subject whose kind changes (a re-import's identity-kind tag) moves its findings' tallies. A transaction
-- writing one of its findings at that very moment may have read the old kind and tally its change under it:
-- the reconciliation's recount (below, hourly) puts that right. Locking findings here instead would deadlock
-- with a writer that holds findings and then updates the identity (a session's usage).
CREATE FUNCTION finding_tallies_subject_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finding_tallies (status, kind, severity, system_id, identity_kind, n)
  SELECT f.status, f.kind, f.severity, f.system_id, k.kind, count(*) * k.d
  FROM findings f CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k(kind, d)
  WHERE f.identity_id = NEW.id GROUP BY 1, 2, 3, 4, 5, k.d;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER identities_tally_kind AFTER UPDATE OF kind ON identities FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION finding_tallies_subject_kind();--> statement-breakpoint
CREATE FUNCTION finding_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM finding_tallies;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER findings_tally_truncate AFTER TRUNCATE ON findings FOR EACH STATEMENT EXECUTE FUNCTION finding_tallies_truncate();--> statement-breakpoint
-- Recounts the tallies from the findings, one row per group, in one statement: the deltas it deletes are
-- those of its snapshot, which its count of the findings covers; deltas of transactions committing later are
-- not in its snapshot and stay, as their changes are not in its count. Whatever the tallies held, they are
-- exact again.
-- One recount at a time (the lock is taken before the recounting statement's snapshot): two at once would
-- each insert their count and neither delete the other's.
CREATE FUNCTION recount_finding_tallies() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  groups integer;
BEGIN
  PERFORM pg_advisory_xact_lock(7244031);
  WITH gone AS (DELETE FROM finding_tallies RETURNING 1), counted AS (
    INSERT INTO finding_tallies (status, kind, severity, system_id, identity_kind, n)
    SELECT f.status, f.kind, f.severity, f.system_id, i.kind, count(*) FROM findings f JOIN identities i ON i.id = f.identity_id
    WHERE (SELECT count(*) FROM gone) >= 0
    GROUP BY 1, 2, 3, 4, 5
    RETURNING 1
  ) SELECT count(*)::int INTO groups FROM counted;
  RETURN groups;
END $$;--> statement-breakpoint
INSERT INTO finding_tallies (status, kind, severity, system_id, identity_kind, n)
SELECT f.status, f.kind, f.severity, f.system_id, i.kind, count(*) FROM findings f JOIN identities i ON i.id = f.identity_id GROUP BY 1, 2, 3, 4, 5;
