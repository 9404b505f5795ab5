import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiTokens, auditLog } from "@/db/schema";
import { makeCaller, makeNhi, makeSystem, testDb } from "@/lib/testing/harness";
import { authenticateToken, callerForToken, issueToken, listTokens, revokeToken } from "./tokens";

describe("API tokens", () => {
  it("issues a token shown once, stores only its hash, and authenticates it as the NHI", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    const issued = await issueToken(db, owner, { name: "deploy pipeline", scopes: ["jit:request"], identityId: nhi.id, expiresInDays: 30 });
    expect(issued.token).toMatch(/^gov_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, issued.id));
    expect(row.tokenHash).not.toContain(issued.token);
    expect(JSON.stringify(await db.select().from(auditLog).where(eq(auditLog.entityId, issued.id)))).not.toContain(issued.token);

    const principal = await authenticateToken(db, issued.token);
    expect(principal).toMatchObject({ id: issued.id, identityId: nhi.id });
    const caller = await callerForToken(db, principal!);
    expect(caller).toMatchObject({ identityId: nhi.id, token: { name: "deploy pipeline" } });
    expect(caller!.roles.size).toBe(0);
    expect(await authenticateToken(db, `${issued.token}x`)).toBeNull();
    expect(await authenticateToken(db, "not-a-token")).toBeNull();
  });

  it("lets owners issue only JIT tokens for their own NHIs, and admins the rest", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const other = await makeCaller(db, ["owner", "requester"]);
    const admin = await makeCaller(db, ["admin"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    await expect(issueToken(db, other, { name: "mine now", scopes: ["jit:request"], identityId: nhi.id })).rejects.toMatchObject({ status: 404 });
    await expect(issueToken(db, owner, { name: "logs", scopes: ["usage:write"] })).rejects.toMatchObject({ status: 403 });
    await expect(issueToken(db, owner, { name: "x", scopes: [] })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { name: [expect.stringContaining("at least 3")], scopes: ["Choose at least one scope."] },
    });
    await expect(issueToken(db, admin, { name: "jit without NHI", scopes: ["jit:request"] })).rejects.toMatchObject({
      fieldErrors: { identityId: ["JIT scopes act as an NHI: choose which one."] },
    });
    const system = await makeSystem(db);
    const source = await issueToken(db, admin, { name: "CloudTrail shipper", scopes: ["usage:write"], systemId: system.id });
    expect(await authenticateToken(db, source.token)).toMatchObject({ identityId: null, systemId: system.id });
    expect((await listTokens(db, owner)).map((t) => t.id)).not.toContain(source.id);
    expect((await listTokens(db, admin)).map((t) => t.id)).toContain(source.id);
  });

  it("stops authenticating a revoked token at once; only admins and the NHI's owners revoke", async () => {
    const db = await testDb();
    const owner = await makeCaller(db, ["owner"]);
    const stranger = await makeCaller(db, ["requester"]);
    const nhi = await makeNhi(db, { ownerId: owner.identityId });
    const issued = await issueToken(db, owner, { name: "ci runner", scopes: ["jit:request", "jit:read"], identityId: nhi.id });
    await expect(revokeToken(db, stranger, issued.id)).rejects.toMatchObject({ status: 404 });
    await revokeToken(db, owner, issued.id);
    expect(await authenticateToken(db, issued.token)).toBeNull();
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, issued.id));
    expect(audit.map((a) => a.action)).toEqual(["api_token.issued", "api_token.revoked"]);
  });
});
