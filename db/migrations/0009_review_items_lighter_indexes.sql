DROP INDEX "review_items_reviewer_decided_idx";--> statement-breakpoint
DROP INDEX "review_items_previous_key";--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_previous_key" ON "review_items" USING btree ("previous_item_id") WHERE "review_items"."previous_item_id" is not null;