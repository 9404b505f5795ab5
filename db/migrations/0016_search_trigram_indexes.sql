-- Trigram indexes for substring searches; pg_trgm ships with PostgreSQL (trusted) and PGlite (loaded by db/client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "entitlements_name_trgm_idx" ON "entitlements" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "findings_entitlement_idx" ON "findings" USING btree ("entitlement_id");--> statement-breakpoint
CREATE INDEX "findings_title_trgm_idx" ON "findings" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "identities_name_trgm_idx" ON "identities" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "identities_display_name_trgm_idx" ON "identities" USING gin ("display_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "identities_email_trgm_idx" ON "identities" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "identities_external_id_trgm_idx" ON "identities" USING gin ("external_id" gin_trgm_ops);