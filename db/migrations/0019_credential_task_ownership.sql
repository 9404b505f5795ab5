ALTER TABLE "credential_tasks" ADD COLUMN "assignee_id" uuid;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD COLUMN "due_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD COLUMN "escalation_level" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD COLUMN "escalated_to_id" uuid;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD CONSTRAINT "credential_tasks_assignee_id_identities_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD CONSTRAINT "credential_tasks_escalated_to_id_identities_id_fk" FOREIGN KEY ("escalated_to_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credential_tasks_open_due_idx" ON "credential_tasks" USING btree ("due_at") WHERE "credential_tasks"."status" = 'open';--> statement-breakpoint
CREATE INDEX "credential_tasks_assignee_idx" ON "credential_tasks" USING btree ("assignee_id") WHERE "credential_tasks"."status" = 'open';--> statement-breakpoint
-- Revocations promised when an NHI was decommissioned, which no task tracked:
-- each active credential of a decommissioned identity gets its revoke task.
INSERT INTO "credential_tasks" ("credential_id", "kind", "reason", "source_ref", "created_at", "updated_at")
  SELECT c."id", 'revoke', 'Its identity was decommissioned', 'decommission', coalesce(i."updated_at", now()), now()
  FROM "credentials" c JOIN "identities" i ON i."id" = c."identity_id"
  WHERE c."status" = 'active' AND i."status" = 'decommissioned'
  ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Open tasks get their accountable person (the owner, else the backup owner,
-- while active) and a due date from when they were asked for.
UPDATE "credential_tasks" t SET
  "assignee_id" = CASE WHEN o."status" = 'active' THEN i."owner_id" WHEN b."status" = 'active' THEN i."backup_owner_id" END,
  "due_at" = t."created_at" + CASE t."kind" WHEN 'revoke' THEN interval '7 days' ELSE interval '14 days' END
  FROM "credentials" c JOIN "identities" i ON i."id" = c."identity_id"
    LEFT JOIN "identities" o ON o."id" = i."owner_id" LEFT JOIN "identities" b ON b."id" = i."backup_owner_id"
  WHERE c."id" = t."credential_id" AND t."status" = 'open';
