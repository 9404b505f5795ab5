CREATE TABLE "campaign_reminders" (
	"campaign_id" uuid NOT NULL,
	"days_before" integer NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recipients" integer NOT NULL,
	CONSTRAINT "campaign_reminders_campaign_id_days_before_pk" PRIMARY KEY("campaign_id","days_before")
);
--> statement-breakpoint
DROP INDEX "review_items_reviewer_idx";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "second_stage_reviewer_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "close_summary" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "sign_off_comment" text;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "previous_item_id" uuid;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "privilege_rank" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "auto_decided" text;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_reminders" ADD CONSTRAINT "campaign_reminders_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_previous_item_id_review_items_id_fk" FOREIGN KEY ("previous_item_id") REFERENCES "public"."review_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_previous_key" ON "campaigns" USING btree ("previous_id");--> statement-breakpoint
CREATE INDEX "review_items_reviewer_decided_idx" ON "review_items" USING btree ("reviewer_id","decided_at");--> statement-breakpoint
CREATE INDEX "review_items_queue_idx" ON "review_items" USING btree ("reviewer_id","due_at","privilege_rank" DESC NULLS LAST,"id") WHERE "review_items"."decision" is null and "review_items"."closed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_previous_key" ON "review_items" USING btree ("previous_item_id");