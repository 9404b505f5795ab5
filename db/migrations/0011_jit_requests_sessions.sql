CREATE TYPE "public"."approver_mode" AS ENUM('approvers', 'entitlement_owner', 'named');--> statement-breakpoint
CREATE TYPE "public"."post_review_status" AS ENUM('pending', 'confirmed', 'escalated');--> statement-breakpoint
CREATE TYPE "public"."session_event_kind" AS ENUM('start', 'end', 'command', 'query');--> statement-breakpoint
ALTER TYPE "public"."provenance_kind" ADD VALUE 'break_glass' BEFORE 'attestation';--> statement-breakpoint
ALTER TYPE "public"."jit_request_status" ADD VALUE 'timed_out';--> statement-breakpoint
CREATE TABLE "pam_session_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"pam_session_id" uuid NOT NULL,
	"source" text NOT NULL,
	"event_id" text NOT NULL,
	"kind" "session_event_kind" NOT NULL,
	"detail" text,
	"outcome" "usage_outcome" DEFAULT 'success' NOT NULL,
	"grant_id" uuid,
	"outside_window" boolean DEFAULT false NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pam_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"session_id" text NOT NULL,
	"identity_id" uuid NOT NULL,
	"system_id" uuid,
	"grant_id" uuid,
	"request_id" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"last_event_at" timestamp with time zone NOT NULL,
	"event_count" integer DEFAULT 0 NOT NULL,
	"outside_window_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "eligibility_policies" DROP CONSTRAINT "eligibility_policies_identity_id_identities_id_fk";
--> statement-breakpoint
ALTER TABLE "eligibility_policies" DROP CONSTRAINT "eligibility_policies_team_id_teams_id_fk";
--> statement-breakpoint
DROP INDEX "jit_requests_status_idx";--> statement-breakpoint
DROP INDEX "jit_requests_requester_idx";--> statement-breakpoint
ALTER TABLE "eligibility_policies" ALTER COLUMN "max_duration_minutes" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ALTER COLUMN "default_duration_minutes" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "jit_requests" ALTER COLUMN "policy_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "team_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "approver_mode" "approver_mode" DEFAULT 'approvers' NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "approver_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "deny_ends_request" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "auto_approve_all" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "auto_approve_team_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "break_glass_max_minutes" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "created_by_id" uuid;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "requested_start_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "approvals_required" integer NOT NULL;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "approver_ids" uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "deny_ends_request" boolean NOT NULL;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "pending_until" timestamp with time zone NOT NULL;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "ended_by_id" uuid;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "end_reason" text;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "post_review_status" "post_review_status";--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "post_reviewed_by_id" uuid;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "post_reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "post_review_comment" text;--> statement-breakpoint
ALTER TABLE "pam_session_events" ADD CONSTRAINT "pam_session_events_pam_session_id_pam_sessions_id_fk" FOREIGN KEY ("pam_session_id") REFERENCES "public"."pam_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pam_session_events" ADD CONSTRAINT "pam_session_events_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pam_sessions" ADD CONSTRAINT "pam_sessions_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pam_sessions" ADD CONSTRAINT "pam_sessions_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pam_sessions" ADD CONSTRAINT "pam_sessions_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pam_sessions" ADD CONSTRAINT "pam_sessions_request_id_jit_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."jit_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pam_session_events_source_event_key" ON "pam_session_events" USING btree ("source","event_id");--> statement-breakpoint
CREATE INDEX "pam_session_events_session_idx" ON "pam_session_events" USING btree ("pam_session_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "pam_sessions_source_session_key" ON "pam_sessions" USING btree ("source","session_id");--> statement-breakpoint
CREATE INDEX "pam_sessions_request_idx" ON "pam_sessions" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "pam_sessions_identity_idx" ON "pam_sessions" USING btree ("identity_id","started_at");--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD CONSTRAINT "eligibility_policies_created_by_id_identities_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_ended_by_id_identities_id_fk" FOREIGN KEY ("ended_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_post_reviewed_by_id_identities_id_fk" FOREIGN KEY ("post_reviewed_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "eligibility_policies_entitlement_idx" ON "eligibility_policies" USING btree ("entitlement_id") WHERE "eligibility_policies"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "jit_requests_identity_idx" ON "jit_requests" USING btree ("identity_id","created_at");--> statement-breakpoint
CREATE INDEX "jit_requests_created_idx" ON "jit_requests" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "jit_requests_open_idx" ON "jit_requests" USING btree ("status") WHERE "jit_requests"."status" in ('pending', 'approved', 'active');--> statement-breakpoint
CREATE INDEX "jit_requests_approvers_idx" ON "jit_requests" USING gin ("approver_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "jit_requests_grant_key" ON "jit_requests" USING btree ("grant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jit_requests_one_open_key" ON "jit_requests" USING btree ("identity_id","entitlement_id") WHERE "jit_requests"."status" in ('pending', 'approved', 'active');--> statement-breakpoint
CREATE INDEX "jit_requests_requester_idx" ON "jit_requests" USING btree ("requester_id","created_at");--> statement-breakpoint
ALTER TABLE "eligibility_policies" DROP COLUMN "identity_id";--> statement-breakpoint
ALTER TABLE "eligibility_policies" DROP COLUMN "team_id";