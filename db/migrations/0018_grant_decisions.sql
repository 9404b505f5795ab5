CREATE TABLE "grant_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"grant_id" uuid NOT NULL,
	"kind" "provenance_kind" NOT NULL,
	"ref" text,
	"decided_by_id" uuid,
	"decided_at" timestamp with time zone NOT NULL,
	"reason" text,
	"valid_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "grant_decisions_kind_check" CHECK ("grant_decisions"."kind" <> 'none')
);
--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "policy_id" uuid;--> statement-breakpoint
ALTER TABLE "grant_decisions" ADD CONSTRAINT "grant_decisions_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grant_decisions" ADD CONSTRAINT "grant_decisions_decided_by_id_identities_id_fk" FOREIGN KEY ("decided_by_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "grant_decisions_grant_idx" ON "grant_decisions" USING btree ("grant_id","decided_at");--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_policy_id_eligibility_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."eligibility_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "grants_policy_idx" ON "grants" USING btree ("policy_id") WHERE "grants"."policy_id" is not null;--> statement-breakpoint
-- Backfill. Eligibility a policy issued: from the grant's own provenance, or,
-- where a certification later overwrote it, from the audit rows that created
-- the grant (a policy's named eligibility, or a standing grant converted to it).
UPDATE "grants" g SET "policy_id" = p."id" FROM "eligibility_policies" p
  WHERE g."type" = 'eligible' AND g."provenance" = 'policy' AND g."provenance_ref" = p."id"::text;--> statement-breakpoint
UPDATE "grants" g SET "policy_id" = p."id"
  FROM "audit_log" a JOIN "eligibility_policies" p ON p."id"::text = a."after"->>'policyId'
  WHERE g."policy_id" IS NULL AND g."type" = 'eligible' AND a."entity_type" = 'grant'
    AND ((a."action" = 'grant.created' AND a."entity_id" = g."id"::text)
      OR (a."action" = 'grant.converted_to_eligibility' AND a."after"->>'eligibleGrantId' = g."id"::text));--> statement-breakpoint
-- The decision history as far as it is known: the issuing policy where a later
-- decision replaced it on the grant, then the latest decision of every grant.
INSERT INTO "grant_decisions" ("grant_id", "kind", "ref", "decided_by_id", "decided_at", "reason")
  SELECT g."id", 'policy', g."policy_id"::text, a."actor_id", g."created_at", 'Issued by the eligibility policy (recovered from the audit log)'
  FROM "grants" g
  LEFT JOIN LATERAL (SELECT "actor_id" FROM "audit_log" WHERE "entity_type" = 'grant' AND "entity_id" = g."id"::text AND "action" = 'grant.created' ORDER BY "id" LIMIT 1) a ON true
  WHERE g."policy_id" IS NOT NULL AND g."provenance" <> 'policy';--> statement-breakpoint
INSERT INTO "grant_decisions" ("grant_id", "kind", "ref", "decided_by_id", "decided_at", "valid_until")
  SELECT "id", "provenance", "provenance_ref", "approved_by_id", coalesce("approved_at", "created_at"), "approval_expires_at"
  FROM "grants" WHERE "provenance" <> 'none';
