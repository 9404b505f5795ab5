CREATE TYPE "public"."connector_kind" AS ENUM('postgres', 'webhook');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'delivered', 'failed', 'dead');--> statement-breakpoint
CREATE TYPE "public"."credential_task_kind" AS ENUM('rotate', 'revoke');--> statement-breakpoint
CREATE TYPE "public"."credential_task_status" AS ENUM('open', 'done', 'cancelled');--> statement-breakpoint
CREATE TABLE "connector_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connector_id" uuid NOT NULL,
	"access_event_id" bigint NOT NULL,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"round" integer DEFAULT 1 NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	"response_status" integer,
	"result" jsonb,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "connector_kind" NOT NULL,
	"system_id" uuid,
	"config" jsonb NOT NULL,
	"event_types" text[] DEFAULT '{}' NOT NULL,
	"enabled" integer DEFAULT 1 NOT NULL,
	"max_attempts" integer DEFAULT 6 NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connectors_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "credential_policies" (
	"type" "credential_type" PRIMARY KEY NOT NULL,
	"max_age_days" integer NOT NULL,
	"require_expiry" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credential_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"credential_id" uuid NOT NULL,
	"kind" "credential_task_kind" NOT NULL,
	"status" "credential_task_status" DEFAULT 'open' NOT NULL,
	"reason" text NOT NULL,
	"source_ref" text,
	"done_at" timestamp with time zone,
	"done_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_members_team_id_identity_id_pk" PRIMARY KEY("team_id","identity_id")
);
--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "rehomed_from_id" uuid;--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "rehomed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "lifecycle_events" ADD COLUMN "outcome" jsonb;--> statement-breakpoint
ALTER TABLE "connector_deliveries" ADD CONSTRAINT "connector_deliveries_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_deliveries" ADD CONSTRAINT "connector_deliveries_access_event_id_access_events_id_fk" FOREIGN KEY ("access_event_id") REFERENCES "public"."access_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connectors" ADD CONSTRAINT "connectors_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD CONSTRAINT "credential_tasks_credential_id_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."credentials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credential_tasks" ADD CONSTRAINT "credential_tasks_done_by_id_identities_id_fk" FOREIGN KEY ("done_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connector_deliveries_event_key" ON "connector_deliveries" USING btree ("connector_id","access_event_id");--> statement-breakpoint
CREATE INDEX "connector_deliveries_status_idx" ON "connector_deliveries" USING btree ("connector_id","status","created_at");--> statement-breakpoint
CREATE INDEX "credential_tasks_credential_idx" ON "credential_tasks" USING btree ("credential_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credential_tasks_open_key" ON "credential_tasks" USING btree ("credential_id","kind") WHERE "credential_tasks"."status" = 'open';--> statement-breakpoint
CREATE INDEX "team_members_identity_idx" ON "team_members" USING btree ("identity_id");--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_rehomed_from_id_identities_id_fk" FOREIGN KEY ("rehomed_from_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Rotation ages by credential type (NIST SP 800-57 and common cloud guidance); admins change them.
INSERT INTO "credential_policies" (type, max_age_days, require_expiry) VALUES
  ('access_key', 90, false), ('api_token', 90, true), ('client_secret', 180, true),
  ('password', 365, false), ('ssh_key', 365, false), ('certificate', 398, true)
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Everyone's primary team is a membership too.
INSERT INTO "team_members" (team_id, identity_id) SELECT team_id, id FROM identities WHERE team_id IS NOT NULL AND kind = 'human' ON CONFLICT DO NOTHING;
