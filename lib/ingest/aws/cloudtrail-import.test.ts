import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { queryRows } from "@/db/rows";
import { printUsageImportSummary } from "@/lib/cli/print";
import { testDb } from "@/lib/testing/harness";
import { importAwsIam } from "../import-aws-iam";
import { importCloudTrail } from "./cloudtrail-import";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

describe("importing CloudTrail in batches", () => {
  it("stores every event once, whatever its characters, and keeps the roll-ups equal to the stored events across batches and writers", async () => {
    const db = await testDb();
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const details = JSON.parse((await readFile(path.join(FIXTURES, "authorization-details.json"), "utf8")).replaceAll("111122223333", account));
    await importAwsIam(db, { authorizationDetails: details });
    const base = Date.now() - 5 * 86_400_000;
    const who = [
      { type: "IAMUser", principalId: "AIDA1", arn: `arn:aws:iam::${account}:user/alice`, accountId: account, userName: "alice" },
      { type: "AssumedRole", principalId: "AROA1:s", arn: `arn:aws:sts::${account}:assumed-role/orders-api/tab\there`, accountId: account },
    ];
    const calls = [
      ["s3.amazonaws.com", "ListBuckets"],
      ["ec2.amazonaws.com", "DescribeInstances"],
      ["dynamodb.amazonaws.com", "Query"],
      ["iam.amazonaws.com", "CreateUser"],
    ];
    const ids = [`tab\tin-${account}`, `back\\slash-${account}`, `new\nline-${account}`, `cr\rreturn-${account}`];
    const records = Array.from({ length: 40 }, (_, i) => ({
      eventVersion: "1.09",
      userIdentity: who[i % 2],
      eventTime: new Date(base + i * 5_000_000).toISOString(),
      eventSource: calls[i % 4][0],
      eventName: calls[i % 4][1],
      eventID: i < ids.length ? ids[i] : `evt-${account}-${i}`,
      eventType: "AwsApiCall",
      recipientAccountId: account,
      ...(i % 7 === 0 ? { errorCode: "AccessDenied" } : {}),
      ...(calls[i % 4][1] === "Query" ? { eventCategory: "Data", managementEvent: false } : {}),
    }));
    const dir = await mkdtemp(path.join(tmpdir(), "trail-batches-"));
    // The first file has one record twice in a row; the second repeats seven of the first's.
    await writeFile(path.join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: [...records.slice(0, 25), records[24]] })));
    await writeFile(path.join(dir, "b.json"), JSON.stringify({ Records: [...records.slice(20), ...records.slice(0, 2)] }));

    // Eight records read are denied attempts (two of them repeats): six such events are stored.
    const first = await importCloudTrail(db, [dir], { batchSize: 3, writers: 2 });
    expect(first).toMatchObject({ records: 48, usage: { inserted: 40, duplicates: 8, denied: 6 } });
    // Re-importing stores nothing, so nothing it stored was denied either: the figure counts events stored, not records read.
    const again = await importCloudTrail(db, [dir], { batchSize: 7 });
    expect(again.usage).toEqual({ inserted: 0, duplicates: 48, denied: 0 });
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
    printUsageImportSummary(again, "import their IAM");
    log.mockRestore();
    expect(printed).toContain("  usage events  0 stored, of which 0 denied attempts; 48 already imported");

    const stored = await queryRows<{ event_id: string; session_id: string | null }>(
      db,
      sql`select event_id, session_id from usage_events where source = 'cloudtrail' and event_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
    );
    expect(stored.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    expect(stored.find((r) => r.event_id === ids[1])?.session_id).toBe("tab\there");

    // Every roll-up of these identities equals a fold of their stored events.
    const mine = sql`(select e.identity_id from usage_events e where e.source = 'cloudtrail' and e.event_id like ${`%${account}%`})`;
    const differing = async (rolled: ReturnType<typeof sql>, folded: ReturnType<typeof sql>) =>
      (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ((${rolled} except ${folded}) union all (${folded} except ${rolled})) x`))[0].n;
    expect(
      await differing(
        sql`select identity_id, action, day, success_count, denied_count, first_at, last_at, last_success_at from usage_action_daily where identity_id in ${mine}`,
        sql`select identity_id, action, (occurred_at at time zone 'UTC')::date, (count(*) filter (where outcome = 'success'))::int, (count(*) filter (where outcome = 'denied'))::int,
          min(occurred_at), max(occurred_at), max(occurred_at) filter (where outcome = 'success') from usage_events where identity_id in ${mine} group by 1, 2, 3`,
      ),
    ).toBe(0);
    expect(
      await differing(
        sql`select identity_id, entitlement_id, first_used_at, last_used_at, success_count, denied_count, last_denied_at from usage_rollups where identity_id in ${mine}`,
        sql`select identity_id, entitlement_id, min(occurred_at) filter (where outcome = 'success'), max(occurred_at) filter (where outcome = 'success'),
          (count(*) filter (where outcome = 'success'))::int, (count(*) filter (where outcome = 'denied'))::int, max(occurred_at) filter (where outcome = 'denied')
          from usage_events where identity_id in ${mine} and entitlement_id is not null group by 1, 2`,
      ),
    ).toBe(0);
    const [daily] = await queryRows<{ events: number; rolled: number }>(
      db,
      sql`select (select count(*) from usage_events where identity_id in ${mine} and entitlement_id is not null)::int as events,
        (select sum(success_count + denied_count) from usage_daily where identity_id in ${mine})::int as rolled`,
    );
    expect(daily.rolled).toBe(daily.events);
  });
});

describe("CloudTrail events as the actions that authorize them", () => {
  it("stores a copy as the write of its target and the read of its source, and skips events AWS's catalogue has no action for, counted by name", async () => {
    const db = await testDb();
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const details = JSON.parse((await readFile(path.join(FIXTURES, "authorization-details.json"), "utf8")).replaceAll("111122223333", account));
    await importAwsIam(db, { authorizationDetails: details });
    const alice = { type: "IAMUser", principalId: "AIDA1", arn: `arn:aws:iam::${account}:user/alice`, accountId: account, userName: "alice" };
    const at = new Date(Date.now() - 86_400_000).toISOString();
    const record = (eventSource: string, eventName: string, i: number) => ({
      eventVersion: "1.09",
      userIdentity: alice,
      eventTime: at,
      eventSource,
      eventName,
      eventID: `exact-${account}-${i}`,
      eventType: "AwsApiCall",
      recipientAccountId: account,
    });
    const dir = await mkdtemp(path.join(tmpdir(), "trail-exact-"));
    await writeFile(
      path.join(dir, "a.json"),
      JSON.stringify({
        Records: [
          record("s3.amazonaws.com", "CopyObject", 1),
          record("dynamodb.amazonaws.com", "TransactWriteItems", 2),
          record("s3.amazonaws.com", "FrobnicateBucket", 3),
          record("s3.amazonaws.com", "FrobnicateBucket", 4),
          record("ec2.amazonaws.com", "describeinstances", 5),
        ],
      }),
    );
    const s = await importCloudTrail(db, [dir]);
    expect(s.usage.inserted).toBe(3);
    expect(s.skipped).toMatchObject({ "unmapped-event": 3 });
    expect(s.skippedDetails).toEqual([
      { reason: "unmapped-event", detail: "s3 FrobnicateBucket", records: 2 },
      { reason: "unmapped-event", detail: "dynamodb TransactWriteItems", records: 1 },
    ]);
    const stored = await queryRows<{ event_id: string; action: string }>(
      db,
      sql`select event_id, action from usage_events where source = 'cloudtrail' and event_id like ${`exact-${account}-%`} order by event_id`,
    );
    // Every stored action is the catalogue's, in AWS's spelling.
    expect(stored).toEqual([
      { event_id: `exact-${account}-1`, action: "s3:PutObject" },
      { event_id: `exact-${account}-1#s3:GetObject`, action: "s3:GetObject" },
      { event_id: `exact-${account}-5`, action: "ec2:DescribeInstances" },
    ]);
    expect((await importCloudTrail(db, [dir])).usage).toEqual({ inserted: 0, duplicates: 3, denied: 0 });
  });
});
