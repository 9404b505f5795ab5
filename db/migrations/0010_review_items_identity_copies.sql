ALTER TABLE "review_items" DROP CONSTRAINT "review_items_identity_id_identities_id_fk";
--> statement-breakpoint
ALTER TABLE "review_items" DROP CONSTRAINT "review_items_entitlement_id_entitlements_id_fk";
