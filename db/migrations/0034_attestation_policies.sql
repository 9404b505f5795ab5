CREATE TABLE "attestation_policies" (
	"kind" "identity_kind" PRIMARY KEY NOT NULL,
	"interval_days" integer NOT NULL,
	"reminder_days" integer[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
