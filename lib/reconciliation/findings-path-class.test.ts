import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as findingsRoute from "@/app/api/v1/findings/route";
import { identities, identityEscalations } from "@/db/schema";
import type { Caller } from "@/lib/caller";
import { getCaller } from "@/lib/auth/auth";
import { runEscalationAnalysis } from "@/lib/escalation/run";
import { authorizationDetails } from "@/lib/escalation/test-account";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { makeCaller } from "@/lib/testing/harness";
import { isolatedForFile } from "@/lib/testing/isolated";
import { callRoute } from "@/lib/testing/routes";
import { listFindings } from "./findings";

// The route reads this file's own database: the escalation analysis covers every imported account.
const state = vi.hoisted((): { db: Db | null } => ({ db: null }));
vi.mock("@/lib/auth/auth", () => ({ getCaller: vi.fn(async () => null) }));
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db/client")>()), getDb: async () => state.db }));

const testDb = isolatedForFile();
const account = "210987654321";
let auditor: Caller;
beforeAll(async () => {
  const db = testDb();
  state.db = db;
  await importAwsIam(db, { authorizationDetails: authorizationDetails(account, { deployerCanPass: true, person: "alice" }) });
  await runEscalationAnalysis(db);
  auditor = await makeCaller(db, ["auditor"]);
  vi.mocked(getCaller).mockResolvedValue(auditor);
});

describe("findings by escalation path class", () => {
  it("keeps the escalation findings whose path starts with the class, as identity_escalations.path_class says", async () => {
    const db = testDb();
    const names = async (pathClass: string) => (await listFindings(db, auditor, { pathClass })).rows.map((r) => r.identityName).sort();
    // ci-bot and alice assume the deployer first; the deployer itself starts by creating a Lambda function.
    expect(await names("assume-role")).toEqual(["alice", "ci-bot"]);
    expect(await names("lambda-create-invoke")).toEqual(["deployer"]);
    expect(await names("ec2-run-instances")).toEqual([]);

    const page = await listFindings(db, auditor, { pathClass: "assume-role" });
    // Counts follow the filter: the open-trust finding is no longer counted.
    expect(page.byKind).toEqual({ escalation_to_admin: 2 });
    for (const r of page.rows) {
      const [verdict] = await db
        .select({ pathClass: identityEscalations.pathClass })
        .from(identityEscalations)
        .where(eq(identityEscalations.identityId, r.identityId));
      expect(verdict.pathClass).toBe("assume-role");
    }

    // Each row carries its path step by step: who acts on whom, each action on its resource, the statement allowing it.
    const bot = page.rows.find((r) => r.identityName === "ci-bot")!;
    expect(bot.path!.map((s) => s.pathClass)).toEqual(["assume-role", "lambda-create-invoke", "holds-admin"]);
    expect(bot.path![0]).toMatchObject({
      from: `arn:aws:iam::${account}:user/ci-bot`,
      to: `arn:aws:iam::${account}:role/deployer`,
      // Allowed by the bot's own policy, and by the deployer's trust policy.
      actions: [
        {
          action: "sts:AssumeRole",
          resource: `arn:aws:iam::${account}:role/deployer`,
          allowedBy: [{ policy: `arn:aws:iam::${account}:user/ci-bot#inline/assume-deployer`, statement: 0 }],
        },
        {
          action: "sts:AssumeRole",
          resource: `arn:aws:iam::${account}:role/deployer`,
          allowedBy: [{ policy: `trust policy of arn:aws:iam::${account}:role/deployer`, statement: 0 }],
        },
      ],
    });
  });

  it("shows an open trust policy's role and the statement that trusts anyone", async () => {
    const db = testDb();
    const { rows } = await listFindings(db, auditor, { kind: "open_trust_policy" });
    const [role] = await db
      .select()
      .from(identities)
      .where(eq(identities.externalId, `arn:aws:iam::${account}:role/public`));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      identityId: role.id,
      path: null,
      details: { roleArn: role.externalId, statement: 0, trust: { effect: "Allow", principals: { AWS: ["*"] }, actions: ["sts:AssumeRole"] } },
    });
  });

  it("refuses a class the catalogue does not have, naming the field, at the API", async () => {
    const res = await callRoute(findingsRoute.GET, { path: "/api/v1/findings", query: { pathClass: "holds-admin" } });
    expect(res.status).toBe(422);
    expect(res.json.error.fieldErrors.pathClass).toEqual([expect.stringContaining("Path class is one of the catalogue's: put-user-policy-self")]);
    const ok = await callRoute(findingsRoute.GET, { path: "/api/v1/findings", query: { pathClass: "lambda-create-invoke" } });
    expect(ok.status).toBe(200);
    expect(ok.json.rows.map((r: { identityName: string }) => r.identityName)).toEqual(["deployer"]);
  });
});
