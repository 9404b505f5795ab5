CREATE TABLE "identity_risk" (
	"identity_id" uuid PRIMARY KEY NOT NULL,
	"window_days" integer NOT NULL,
	"privileged_grants" integer NOT NULL,
	"unused_privileged" integer NOT NULL,
	"creep_score" integer NOT NULL,
	"exposure_hours" real NOT NULL,
	"used_hours" real NOT NULL,
	"unapproved_pairs" integer NOT NULL,
	"active_after_approval" integer NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_snapshots" (
	"day" date PRIMARY KEY NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "data_event_days" (
	"system_id" uuid NOT NULL,
	"service" text NOT NULL,
	"day" date NOT NULL,
	CONSTRAINT "data_event_days_system_id_service_day_pk" PRIMARY KEY("system_id","service","day")
);
--> statement-breakpoint
CREATE TABLE "usage_action_daily" (
	"identity_id" uuid NOT NULL,
	"action" text NOT NULL,
	"day" date NOT NULL,
	"success_count" integer DEFAULT 0 NOT NULL,
	"denied_count" integer DEFAULT 0 NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"last_success_at" timestamp with time zone,
	CONSTRAINT "usage_action_daily_identity_id_action_day_pk" PRIMARY KEY("identity_id","action","day")
);
--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "permissions" jsonb;--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "attributes" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD COLUMN "hour_mask" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "identity_risk" ADD CONSTRAINT "identity_risk_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_event_days" ADD CONSTRAINT "data_event_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_action_daily" ADD CONSTRAINT "usage_action_daily_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "identity_risk_creep_idx" ON "identity_risk" USING btree ("creep_score");--> statement-breakpoint
CREATE INDEX "entitlements_external_ref_idx" ON "entitlements" USING btree ("system_id","external_ref");--> statement-breakpoint
-- Usage recorded before this migration: fold it into the new roll-ups once.
UPDATE "usage_daily" d SET "hour_mask" = m.mask
FROM (
  SELECT identity_id, entitlement_id, (occurred_at AT TIME ZONE 'UTC')::date AS day,
    bit_or(1 << extract(hour FROM occurred_at AT TIME ZONE 'UTC')::int) AS mask
  FROM usage_events WHERE outcome = 'success' AND entitlement_id IS NOT NULL GROUP BY 1, 2, 3
) m
WHERE d.identity_id = m.identity_id AND d.entitlement_id = m.entitlement_id AND d.day = m.day;--> statement-breakpoint
INSERT INTO "usage_action_daily" (identity_id, action, day, success_count, denied_count, first_at, last_at, last_success_at)
SELECT identity_id, action, (occurred_at AT TIME ZONE 'UTC')::date,
  (count(*) FILTER (WHERE outcome = 'success'))::int, (count(*) FILTER (WHERE outcome = 'denied'))::int,
  min(occurred_at), max(occurred_at), max(occurred_at) FILTER (WHERE outcome = 'success')
FROM usage_events GROUP BY 1, 2, 3;
