-- Items launched before due dates and privilege ranks were copied onto them.
UPDATE "review_items" AS ri
SET "due_at" = c."due_at",
    "privilege_rank" = CASE e."privilege_level" WHEN 'admin' THEN 2 WHEN 'privileged' THEN 1 ELSE 0 END
FROM "campaigns" c, "entitlements" e
WHERE c."id" = ri."campaign_id" AND e."id" = ri."entitlement_id" AND ri."due_at" IS NULL;
