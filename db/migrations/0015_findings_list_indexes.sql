DROP INDEX "findings_status_kind_idx";--> statement-breakpoint
DROP INDEX "identity_risk_creep_idx";--> statement-breakpoint
CREATE INDEX "findings_status_severity_idx" ON "findings" USING btree ("status","severity","last_seen_at","id");--> statement-breakpoint
CREATE INDEX "findings_status_kind_idx" ON "findings" USING btree ("status","kind","severity","last_seen_at","id","identity_id");--> statement-breakpoint
CREATE INDEX "identity_risk_creep_idx" ON "identity_risk" USING btree ("creep_score","unused_privileged");