ALTER TABLE "teams" ADD COLUMN "managed_by" text;--> statement-breakpoint
-- Teams an identity provider pushed before the column existed (until now only SCIM, imports and the demo seed made teams):
-- the audit rows of their creation or of their membership changes name it, the earliest winning.
UPDATE "teams" t SET "managed_by" = (
  SELECT a."after"->>'source' FROM "audit_log" a
  WHERE a."entity_type" = 'team' AND a."entity_id" = t."id"::text AND a."action" IN ('team.created', 'team.members_added', 'team.members_removed', 'team.renamed') AND a."after"->>'source' LIKE 'scim:%'
  ORDER BY a."seq" LIMIT 1
) WHERE "managed_by" IS NULL;
