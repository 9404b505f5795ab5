ALTER TABLE "teams" ADD COLUMN "managed_by" text;--> statement-breakpoint
-- Teams an identity provider created before the column existed: the audit row of their creation names it.
UPDATE "teams" t SET "managed_by" = a."after"->>'source' FROM "audit_log" a WHERE a."action" = 'team.created' AND a."entity_id" = t."id"::text AND a."after"->>'source' LIKE 'scim:%';
