CREATE TYPE "public"."activation_mode" AS ENUM('membership', 'credential', 'both');--> statement-breakpoint
ALTER TYPE "public"."finding_kind" ADD VALUE 'session_outlived_grant' BEFORE 'orphaned_nhi';--> statement-breakpoint
CREATE TABLE "issued_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"grant_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"connector_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"username" text NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"address" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"handed_out_count" integer DEFAULT 1 NOT NULL,
	"last_handed_out_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "eligibility_policies" ADD COLUMN "activation" "activation_mode" DEFAULT 'membership' NOT NULL;--> statement-breakpoint
ALTER TABLE "jit_requests" ADD COLUMN "activation" "activation_mode" DEFAULT 'membership' NOT NULL;--> statement-breakpoint
ALTER TABLE "issued_credentials" ADD CONSTRAINT "issued_credentials_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issued_credentials" ADD CONSTRAINT "issued_credentials_request_id_jit_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."jit_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issued_credentials" ADD CONSTRAINT "issued_credentials_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "issued_credentials_grant_kind_key" ON "issued_credentials" USING btree ("grant_id","kind");