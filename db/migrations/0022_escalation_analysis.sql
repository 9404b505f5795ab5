ALTER TYPE "public"."finding_kind" ADD VALUE 'escalation_to_admin';--> statement-breakpoint
ALTER TYPE "public"."finding_kind" ADD VALUE 'open_trust_policy';--> statement-breakpoint
CREATE TABLE "aws_service_control_policies" (
	"system_id" uuid NOT NULL,
	"level" integer NOT NULL,
	"name" text NOT NULL,
	"statements" jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "aws_service_control_policies_system_id_level_name_pk" PRIMARY KEY("system_id","level","name")
);
--> statement-breakpoint
CREATE TABLE "identity_escalations" (
	"identity_id" uuid PRIMARY KEY NOT NULL,
	"system_id" uuid NOT NULL,
	"privilege_level" "privilege_level" NOT NULL,
	"holds_admin" boolean NOT NULL,
	"reaches_admin" boolean NOT NULL,
	"path_conditional" boolean NOT NULL,
	"path_class" text,
	"path" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reachable_count" integer DEFAULT 0 NOT NULL,
	"reachable_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"inputs_digest" text NOT NULL,
	"capabilities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"own_level" text NOT NULL,
	"verdict_digest" text NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "aws_service_control_policies" ADD CONSTRAINT "aws_service_control_policies_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_escalations" ADD CONSTRAINT "identity_escalations_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_escalations" ADD CONSTRAINT "identity_escalations_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "identity_escalations_admin_idx" ON "identity_escalations" USING btree ("reaches_admin","privilege_level");--> statement-breakpoint
CREATE INDEX "identity_escalations_system_idx" ON "identity_escalations" USING btree ("system_id");