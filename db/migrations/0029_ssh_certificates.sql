ALTER TYPE "public"."connector_kind" ADD VALUE 'ssh';--> statement-breakpoint
CREATE TABLE "ssh_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"serial" bigserial NOT NULL,
	"grant_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"connector_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"principals" text[] NOT NULL,
	"key_fingerprint" text NOT NULL,
	"ca_fingerprint" text NOT NULL,
	"valid_after" timestamp with time zone NOT NULL,
	"valid_before" timestamp with time zone NOT NULL,
	"certificate" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ssh_certificates_serial_unique" UNIQUE("serial")
);
--> statement-breakpoint
ALTER TABLE "ssh_certificates" ADD CONSTRAINT "ssh_certificates_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ssh_certificates" ADD CONSTRAINT "ssh_certificates_request_id_jit_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."jit_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ssh_certificates" ADD CONSTRAINT "ssh_certificates_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ssh_certificates_grant_idx" ON "ssh_certificates" USING btree ("grant_id");--> statement-breakpoint
CREATE INDEX "ssh_certificates_revoked_idx" ON "ssh_certificates" USING btree ("connector_id","revoked_at");