import { beforeAll, describe, expect, it, vi } from "vitest";
import ConnectorPage from "@/app/(app)/admin/connectors/[id]/page";
import type { Caller } from "@/lib/caller";
import { getCaller } from "@/lib/auth/auth";
import { makeCaller, makeSystem, testDb, uniq } from "@/lib/testing/harness";
import { createConnector } from "./admin";

vi.mock("@/lib/auth/auth", () => {
  const getCaller = vi.fn(async (): Promise<Caller | null> => null);
  // Pages take their caller through requireCaller, which redirects when there is none.
  return { getCaller, requireCaller: async () => (await getCaller())! };
});
vi.mock("@/db/client", (importOriginal) => import("@/lib/testing/routes").then((m) => m.onTestDatabase(importOriginal)));

/** The text a rendered element tree shows (its strings, depth first). */
function textOf(node: unknown, seen = new Set<unknown>()): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (!node || typeof node !== "object" || seen.has(node)) return "";
  seen.add(node);
  if (Array.isArray(node)) return node.map((n) => textOf(n, seen)).join("");
  return textOf((node as { props?: { children?: unknown } }).props?.children, seen);
}

let admin: Caller;
beforeAll(async () => {
  admin = await makeCaller(await testDb(), ["admin"]);
  vi.mocked(getCaller).mockResolvedValue(admin);
});

describe("the connector page with a hand-edited query", () => {
  it("says what is wrong with ?page=0 or ?status=bogus and shows the whole log, instead of failing", async () => {
    const db = await testDb();
    const connector = await createConnector(db, admin, {
      name: uniq("target"),
      kind: "postgres",
      systemId: (await makeSystem(db)).id,
      url: "postgres://x@127.0.0.1:1/x",
    });
    for (const query of [{ page: "0" }, { status: "bogus" }, { page: "99999999999999999999" }, { status: "\u0000" }]) {
      const page = await ConnectorPage({ params: Promise.resolve({ id: connector.id }), searchParams: Promise.resolve(query) });
      expect(textOf(page), JSON.stringify(query)).toMatch(/(Page|Status|status) .*Showing every delivery instead\./);
    }
  });
});
