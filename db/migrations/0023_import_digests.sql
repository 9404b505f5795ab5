ALTER TABLE "entitlements" ADD COLUMN "imported_digest" text;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "raised_digest" text;--> statement-breakpoint
-- The digest vouches for the permissions only as the import wrote them: any
-- other change to them (an edit, a seed, a later migration) forgets it, so the
-- next import compares that entitlement's document in full.
CREATE FUNCTION entitlements_forget_imported_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.permissions IS DISTINCT FROM OLD.permissions AND NEW.imported_digest IS NOT DISTINCT FROM OLD.imported_digest THEN
    NEW.imported_digest := NULL;
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER entitlements_imported_digest BEFORE UPDATE ON entitlements FOR EACH ROW EXECUTE FUNCTION entitlements_forget_imported_digest();
