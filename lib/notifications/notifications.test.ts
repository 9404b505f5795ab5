import { describe, expect, it } from "vitest";
import { makeCaller, testDb } from "@/lib/testing/harness";
import { listNotifications, markRead, unreadCount } from "./inbox";
import { notify } from "./notify";

describe("notifications", () => {
  it("delivers a notice to each recipient once and lets each mark only their own read", async () => {
    const db = await testDb();
    const a = await makeCaller(db, ["approver"]);
    const b = await makeCaller(db, ["approver"]);
    await db.transaction((tx) =>
      notify(tx, [a.identityId, b.identityId, a.identityId], { kind: "jit.pending", title: "Approve prod access", link: "/access-requests" }),
    );
    expect(await unreadCount(db, a)).toBe(1);
    const inboxB = await listNotifications(db, b, {});
    expect(inboxB).toMatchObject({ total: 1, unread: 1, rows: [{ title: "Approve prod access", readAt: null }] });

    expect(await markRead(db, a, { ids: [inboxB.rows[0].id] })).toEqual({ read: 0 });
    expect(await unreadCount(db, b)).toBe(1);
    expect(await markRead(db, b, { all: true })).toEqual({ read: 1 });
    expect(await listNotifications(db, b, { unread: "1" })).toMatchObject({ total: 0, unread: 0 });
    await expect(markRead(db, b, { ids: [] })).rejects.toMatchObject({ status: 422 });
  });
});
