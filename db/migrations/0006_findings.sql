CREATE TYPE "public"."finding_kind" AS ENUM('approved_unused', 'used_without_approval', 'active_after_approval', 'used_after_offboarding', 'denied_attempt', 'outside_grant_window', 'target_unapproved', 'target_missing', 'orphaned_nhi', 'stale_credential');--> statement-breakpoint
CREATE TYPE "public"."finding_severity" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TYPE "public"."finding_status" AS ENUM('open', 'resolved', 'accepted');--> statement-breakpoint
CREATE TABLE "findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"kind" "finding_kind" NOT NULL,
	"status" "finding_status" DEFAULT 'open' NOT NULL,
	"severity" "finding_severity" NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid,
	"grant_id" uuid,
	"system_id" uuid,
	"source" text NOT NULL,
	"title" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by_id" uuid,
	"resolution" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_resolved_by_id_identities_id_fk" FOREIGN KEY ("resolved_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "findings_key_key" ON "findings" USING btree ("key");--> statement-breakpoint
CREATE INDEX "findings_status_kind_idx" ON "findings" USING btree ("status","kind");--> statement-breakpoint
CREATE INDEX "findings_identity_idx" ON "findings" USING btree ("identity_id");--> statement-breakpoint
CREATE INDEX "findings_system_idx" ON "findings" USING btree ("system_id");