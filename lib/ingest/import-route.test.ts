import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as importRoute from "@/app/api/v1/imports/aws-iam/route";
import { auditLog, identities } from "@/db/schema";
import { getCaller } from "@/lib/auth/auth";
import { authorizationDetails } from "@/lib/escalation/test-account";
import { makeCaller, testDb } from "@/lib/testing/harness";
import { callRoute } from "@/lib/testing/routes";
import { boundedText } from "@/lib/http/respond";

vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

const post = (body: unknown) => callRoute(importRoute.POST, { path: "/api/v1/imports/aws-iam", body });

describe("POST /api/v1/imports/aws-iam", () => {
  it("imports an account for an admin, audited as the admin", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    vi.mocked(getCaller).mockResolvedValue(admin);
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999)).slice(0, 12);
    const res = await post({ authorizationDetails: authorizationDetails(account, { deployerCanPass: true }) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accountId: account, systemCreated: true, identities: { created: 5 } });
    const [bot] = await db
      .select()
      .from(identities)
      .where(eq(identities.externalId, `arn:aws:iam::${account}:user/ci-bot`));
    expect(bot.kind).toBe("service_account");
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "import.aws_iam"), eq(auditLog.entityId, res.json.systemId)));
    expect(audit.actorId).toBe(admin.identityId);
  });

  it("answers a malformed export with the parser's words, and refuses anyone but an admin", async () => {
    const db = await testDb();
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    const bad = await post({ authorizationDetails: { UserDetailList: "nobody" } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.fieldErrors.authorizationDetails).toEqual([expect.stringContaining("UserDetailList")]);
    expect((await post({ authorizationDetails: {}, extra: 1 })).status).toBe(422);

    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["auditor"]));
    expect((await post({ authorizationDetails: authorizationDetails("999999999999", { deployerCanPass: false }) })).status).toBe(403);
  });

  it("refuses other roles before reading, and bad bodies field by field, changing nothing", async () => {
    const db = await testDb();
    const account = String(100000000000 + Math.floor(Math.random() * 899999999999)).slice(0, 12);
    const details = authorizationDetails(account, { deployerCanPass: true });
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["reviewer", "owner"]));
    expect((await post({ authorizationDetails: details })).status).toBe(403);
    vi.mocked(getCaller).mockResolvedValue(await makeCaller(db, ["admin"]));
    const cases: [unknown, string][] = [
      ["{not json", "_"],
      [{ authorizationDetails: "a string" }, "authorizationDetails"],
      [{ authorizationDetails: details, credentialReport: 42 }, "credentialReport"],
      [{ authorizationDetails: { UserDetailList: [{ UserName: "x\u0000" }] } }, "authorizationDetails"],
      [{ authorizationDetails: details, scps: { levels: [] } }, "scps"],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(Object.keys(res.json.error.fieldErrors ?? {}).join(" "), res.text).toContain(field);
    }
    expect(
      await db
        .select()
        .from(identities)
        .where(eq(identities.externalId, `arn:aws:iam::${account}:user/ci-bot`)),
    ).toHaveLength(0);
  });

  it("refuses a body over the limit as it streams, and a declared one before reading", async () => {
    const big = new Request("http://gov.test/", { method: "POST", body: "x".repeat(2048) });
    await expect(boundedText(big, 1024)).rejects.toMatchObject({ status: 413 });
    const declared = new Request("http://gov.test/", { method: "POST", headers: { "content-length": "999999999" }, body: "{}" });
    await expect(boundedText(declared, 1024)).rejects.toMatchObject({ status: 413, message: expect.stringContaining("MiB") });
    expect(await boundedText(new Request("http://gov.test/", { method: "POST", body: '{"a":1}' }), 1024)).toBe('{"a":1}');
  });
});
