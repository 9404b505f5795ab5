CREATE TYPE "public"."remediation_status" AS ENUM('pending', 'confirmed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."revocation_source" AS ENUM('campaign', 'attestation', 'jit', 'lifecycle', 'admin');--> statement-breakpoint
CREATE TABLE "access_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"grant_id" uuid,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "remediations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"grant_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"source" "revocation_source" NOT NULL,
	"source_ref" text,
	"status" "remediation_status" DEFAULT 'pending' NOT NULL,
	"confirmed_at" timestamp with time zone,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "escalation_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "escalated_to_id" uuid;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "stages" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "recurrence" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "reminder_days" jsonb DEFAULT '[7,3,1]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "undecided_action" text DEFAULT 'keep' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "revoke_at" text DEFAULT 'decision' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "unused_window_days" integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "previous_id" uuid;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "signed_off_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "signed_off_by_id" uuid;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "stage" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "routing" text;--> statement-breakpoint
ALTER TABLE "access_events" ADD CONSTRAINT "access_events_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediations" ADD CONSTRAINT "remediations_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediations" ADD CONSTRAINT "remediations_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediations" ADD CONSTRAINT "remediations_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_events_undelivered_idx" ON "access_events" USING btree ("id") WHERE "access_events"."delivered_at" is null;--> statement-breakpoint
CREATE INDEX "remediations_grant_idx" ON "remediations" USING btree ("grant_id");--> statement-breakpoint
CREATE INDEX "remediations_status_idx" ON "remediations" USING btree ("status");--> statement-breakpoint
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_escalated_to_id_identities_id_fk" FOREIGN KEY ("escalated_to_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_previous_id_campaigns_id_fk" FOREIGN KEY ("previous_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_signed_off_by_id_identities_id_fk" FOREIGN KEY ("signed_off_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;