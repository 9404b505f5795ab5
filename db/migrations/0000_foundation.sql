CREATE TYPE "public"."grant_type" AS ENUM('standing', 'eligible', 'jit');--> statement-breakpoint
CREATE TYPE "public"."privilege_level" AS ENUM('standard', 'privileged', 'admin');--> statement-breakpoint
CREATE TYPE "public"."provenance_kind" AS ENUM('campaign_decision', 'jit_approval', 'attestation', 'policy', 'imported', 'manual', 'none');--> statement-breakpoint
CREATE TYPE "public"."attestation_status" AS ENUM('pending', 'attested', 'decommissioned', 'escalated');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('admin', 'auditor', 'reviewer', 'approver', 'owner', 'requester');--> statement-breakpoint
CREATE TYPE "public"."campaign_status" AS ENUM('draft', 'active', 'completed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."review_decision" AS ENUM('certify', 'revoke', 'reassign');--> statement-breakpoint
CREATE TYPE "public"."credential_status" AS ENUM('active', 'revoked');--> statement-breakpoint
CREATE TYPE "public"."credential_type" AS ENUM('access_key', 'api_token', 'password', 'ssh_key', 'certificate', 'client_secret');--> statement-breakpoint
CREATE TYPE "public"."identity_kind" AS ENUM('human', 'service_account', 'api_key', 'workload_role', 'bot', 'ai_agent', 'certificate');--> statement-breakpoint
CREATE TYPE "public"."identity_status" AS ENUM('active', 'disabled', 'offboarded', 'decommissioned');--> statement-breakpoint
CREATE TYPE "public"."system_kind" AS ENUM('aws_account', 'kubernetes', 'github', 'database', 'vault', 'saas', 'idp');--> statement-breakpoint
CREATE TYPE "public"."jit_request_status" AS ENUM('pending', 'approved', 'denied', 'active', 'expired', 'released', 'revoked', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."lifecycle_event_type" AS ENUM('joiner', 'mover', 'leaver', 'decommission');--> statement-breakpoint
CREATE TYPE "public"."usage_outcome" AS ENUM('success', 'denied');--> statement-breakpoint
CREATE TABLE "entitlements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"system_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"privilege_level" "privilege_level" DEFAULT 'standard' NOT NULL,
	"owner_id" uuid,
	"external_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"type" "grant_type" NOT NULL,
	"provenance" "provenance_kind" NOT NULL,
	"provenance_ref" text,
	"approved_by_id" uuid,
	"approved_at" timestamp with time zone,
	"approval_expires_at" timestamp with time zone,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by_id" uuid,
	"revoke_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attestations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity_id" uuid NOT NULL,
	"owner_id" uuid,
	"status" "attestation_status" DEFAULT 'pending' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"attested_at" timestamp with time zone,
	"attested_by_id" uuid,
	"still_needed" boolean,
	"purpose" text,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "role_assignments" (
	"identity_id" uuid NOT NULL,
	"role" "role" NOT NULL,
	"granted_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "role_assignments_identity_id_role_pk" PRIMARY KEY("identity_id","role")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" "campaign_status" DEFAULT 'draft' NOT NULL,
	"scope" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reviewer_strategy" text DEFAULT 'owner_or_manager' NOT NULL,
	"fallback_reviewer_id" uuid,
	"owner_id" uuid NOT NULL,
	"starts_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"launched_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"grant_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"reviewer_id" uuid NOT NULL,
	"recommendation" text,
	"recommendation_reason" text,
	"decision" "review_decision",
	"decided_by_id" uuid,
	"decided_at" timestamp with time zone,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity_id" uuid NOT NULL,
	"type" "credential_type" NOT NULL,
	"label" text NOT NULL,
	"status" "credential_status" DEFAULT 'active' NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"last_rotated_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "identity_kind" NOT NULL,
	"name" text NOT NULL,
	"display_name" text NOT NULL,
	"email" text,
	"external_id" text,
	"system_id" uuid,
	"team_id" uuid,
	"title" text,
	"manager_id" uuid,
	"owner_id" uuid,
	"backup_owner_id" uuid,
	"purpose" text,
	"status" "identity_status" DEFAULT 'active' NOT NULL,
	"next_attestation_at" timestamp with time zone,
	"last_attested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "systems" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "system_kind" NOT NULL,
	"environment" text DEFAULT 'production' NOT NULL,
	"external_id" text,
	"description" text,
	"owner_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "systems_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "eligibility_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"identity_id" uuid,
	"team_id" uuid,
	"max_duration_minutes" integer DEFAULT 60 NOT NULL,
	"default_duration_minutes" integer DEFAULT 60 NOT NULL,
	"approvals_required" integer DEFAULT 1 NOT NULL,
	"require_justification" boolean DEFAULT true NOT NULL,
	"require_ticket" boolean DEFAULT false NOT NULL,
	"pending_timeout_minutes" integer DEFAULT 60 NOT NULL,
	"break_glass" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jit_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"approver_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jit_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requester_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"policy_id" uuid,
	"status" "jit_request_status" DEFAULT 'pending' NOT NULL,
	"duration_minutes" integer NOT NULL,
	"starts_at" timestamp with time zone,
	"justification" text,
	"ticket" text,
	"break_glass" boolean DEFAULT false NOT NULL,
	"grant_id" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lifecycle_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity_id" uuid NOT NULL,
	"type" "lifecycle_event_type" NOT NULL,
	"source" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"day" date NOT NULL,
	"success_count" integer DEFAULT 0 NOT NULL,
	"denied_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_identity_id_entitlement_id_day_pk" PRIMARY KEY("identity_id","entitlement_id","day")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"source" text NOT NULL,
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid,
	"system_id" uuid,
	"action" text NOT NULL,
	"outcome" "usage_outcome" NOT NULL,
	"session_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_rollups" (
	"identity_id" uuid NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"first_used_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"success_count" integer DEFAULT 0 NOT NULL,
	"denied_count" integer DEFAULT 0 NOT NULL,
	"last_denied_at" timestamp with time zone,
	CONSTRAINT "usage_rollups_identity_id_entitlement_id_pk" PRIMARY KEY("identity_id","entitlement_id")
);
--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_owner_id_identities_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_approved_by_id_identities_id_fk" FOREIGN KEY ("approved_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_revoked_by_id_identities_id_fk" FOREIGN KEY ("revoked_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_owner_id_identities_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_attested_by_id_identities_id_fk" FOREIGN KEY ("attested_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_assignments" ADD CONSTRAINT "role_assignments_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_assignments" ADD CONSTRAINT "role_assignments_granted_by_id_identities_id_fk" FOREIGN KEY ("granted_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_fallback_reviewer_id_identities_id_fk" FOREIGN KEY ("fallback_reviewer_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_owner_id_identities_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_reviewer_id_identities_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_decided_by_id_identities_id_fk" FOREIGN KEY ("decided_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_manager_id_identities_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_owner_id_identities_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_backup_owner_id_identities_id_fk" FOREIGN KEY ("backup_owner_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_owner_id_identities_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD CONSTRAINT "eligibility_policies_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD CONSTRAINT "eligibility_policies_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD CONSTRAINT "eligibility_policies_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_approvals" ADD CONSTRAINT "jit_approvals_request_id_jit_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."jit_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_approvals" ADD CONSTRAINT "jit_approvals_approver_id_identities_id_fk" FOREIGN KEY ("approver_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_requester_id_identities_id_fk" FOREIGN KEY ("requester_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_policy_id_eligibility_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."eligibility_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD CONSTRAINT "jit_requests_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lifecycle_events" ADD CONSTRAINT "lifecycle_events_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_rollups" ADD CONSTRAINT "usage_rollups_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_rollups" ADD CONSTRAINT "usage_rollups_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_system_name_key" ON "entitlements" USING btree ("system_id","name");--> statement-breakpoint
CREATE INDEX "grants_identity_idx" ON "grants" USING btree ("identity_id");--> statement-breakpoint
CREATE INDEX "grants_entitlement_idx" ON "grants" USING btree ("entitlement_id");--> statement-breakpoint
CREATE INDEX "grants_live_idx" ON "grants" USING btree ("identity_id","entitlement_id") WHERE "grants"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "attestations_identity_idx" ON "attestations" USING btree ("identity_id");--> statement-breakpoint
CREATE INDEX "attestations_owner_idx" ON "attestations" USING btree ("owner_id","status");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "review_items_campaign_idx" ON "review_items" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "review_items_reviewer_idx" ON "review_items" USING btree ("reviewer_id","decision");--> statement-breakpoint
CREATE INDEX "credentials_identity_idx" ON "credentials" USING btree ("identity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "identities_email_key" ON "identities" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "identities_system_name_key" ON "identities" USING btree ("system_id","name");--> statement-breakpoint
CREATE INDEX "identities_kind_idx" ON "identities" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "identities_system_idx" ON "identities" USING btree ("system_id");--> statement-breakpoint
CREATE INDEX "identities_owner_idx" ON "identities" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "identities_backup_owner_idx" ON "identities" USING btree ("backup_owner_id");--> statement-breakpoint
CREATE INDEX "identities_manager_idx" ON "identities" USING btree ("manager_id");--> statement-breakpoint
CREATE INDEX "identities_name_idx" ON "identities" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "jit_approvals_request_approver_key" ON "jit_approvals" USING btree ("request_id","approver_id");--> statement-breakpoint
CREATE INDEX "jit_requests_requester_idx" ON "jit_requests" USING btree ("requester_id");--> statement-breakpoint
CREATE INDEX "jit_requests_status_idx" ON "jit_requests" USING btree ("status");--> statement-breakpoint
CREATE INDEX "lifecycle_events_identity_idx" ON "lifecycle_events" USING btree ("identity_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_events_source_event_key" ON "usage_events" USING btree ("source","event_id");--> statement-breakpoint
CREATE INDEX "usage_events_identity_time_idx" ON "usage_events" USING btree ("identity_id","occurred_at");--> statement-breakpoint
CREATE INDEX "usage_rollups_entitlement_idx" ON "usage_rollups" USING btree ("entitlement_id");