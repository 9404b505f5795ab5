DROP INDEX "review_items_campaign_idx";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "reviewer_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "review_items_campaign_idx" ON "review_items" USING btree ("campaign_id","reviewer_id");