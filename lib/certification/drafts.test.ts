import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { makeCaller, makeGrant, makeNhi, makeSystem, testDb } from "@/lib/testing/harness";
import { cloneCampaign, createCampaign, getCampaign, updateDraftCampaign } from "./campaigns";
import { launchCampaign } from "./launch";

const day = 86_400_000;

describe("draft campaigns", () => {
  it("are edited whole under the same rules, not once launched; any campaign can be cloned into a new draft", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const reviewer = await makeCaller(db, ["reviewer"]);
    const auditor = await makeCaller(db, ["auditor"]);
    const system = await makeSystem(db);
    const nhi = await makeNhi(db, { systemId: system.id });
    await makeGrant(db, nhi.id, { systemId: system.id });
    const settings = {
      name: "Quarterly payments review",
      scope: { systemIds: [system.id] },
      reviewerStrategy: "named",
      reviewerIds: [reviewer.identityId],
      fallbackReviewerId: admin.identityId,
      startsAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 10 * day).toISOString(),
    };
    const draft = await createCampaign(db, admin, settings);

    const edited = await updateDraftCampaign(db, admin, draft.id, { ...settings, name: "Q1 payments review", reminderDays: [5, 1] });
    expect(edited).toMatchObject({ name: "Q1 payments review", reminderDays: [5, 1], status: "draft" });
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.action, "campaign.updated")).orderBy(auditLog.id);
    expect(audit).toMatchObject({
      entityId: draft.id,
      before: { name: "Quarterly payments review", reminderDays: [7, 3, 1] },
      after: { name: "Q1 payments review", reminderDays: [5, 1] },
    });
    // Only what changed is recorded: the scope stayed.
    expect(Object.keys(audit.after as object).sort()).toEqual(["name", "reminderDays"]);

    // The same rules as creating: bad fields, a read-only reviewer, people who may not.
    await expect(updateDraftCampaign(db, admin, draft.id, { ...settings, name: "x" })).rejects.toMatchObject({ status: 422 });
    await expect(updateDraftCampaign(db, admin, draft.id, { ...settings, fallbackReviewerId: auditor.identityId })).rejects.toMatchObject({
      fieldErrors: { fallbackReviewerId: [expect.stringContaining("read-only")] },
    });
    await expect(updateDraftCampaign(db, reviewer, draft.id, settings)).rejects.toMatchObject({ status: 403 });
    await expect(updateDraftCampaign(db, admin, "00000000-0000-4000-8000-000000000000", settings)).rejects.toMatchObject({ status: 404 });

    await launchCampaign(db, admin, draft.id);
    await expect(updateDraftCampaign(db, admin, draft.id, settings)).rejects.toMatchObject({ status: 409, message: expect.stringContaining("Clone it") });

    const copy = await cloneCampaign(db, admin, draft.id);
    expect(copy).toMatchObject({
      name: "Q1 payments review (copy)",
      status: "draft",
      reminderDays: [5, 1],
      reviewerIds: [reviewer.identityId],
      scope: { systemIds: [system.id] },
    });
    expect(copy.id).not.toBe(draft.id);
    expect(copy.dueAt!.getTime() - copy.startsAt!.getTime()).toBeCloseTo(10 * day, -4);
    expect((await getCampaign(db, admin, draft.id)).status).toBe("active");
    await expect(cloneCampaign(db, auditor, draft.id)).rejects.toMatchObject({ status: 403 });
  });
});
