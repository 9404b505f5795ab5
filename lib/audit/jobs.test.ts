import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { auditKeyRing } from "@/db/audit-key";
import { installJobs, startJobRunner } from "@/lib/runtime/job-runner";
import { checkpointSignature, type Checkpoint } from "./checkpoint";
import { auditJobs, checkpointCron } from "./jobs";
import { auditLogFixture, tempDir } from "./test-fixtures";

describe("audit checkpoints", () => {
  it("are written atomically, once per head", async () => {
    const log = await auditLogFixture();
    expect(await log.checkpoint()).toBeNull();
    await log.write(2);
    const first = await log.checkpoint();
    expect(first).toMatchObject({ written: true, checkpoint: { headSeq: 2 } });
    expect(await log.checkpoint()).toMatchObject({ written: false, file: first!.file });
    // Nothing but the checkpoint itself: the temporary file was renamed into place.
    expect(await readdir(log.dir)).toEqual([path.basename(first!.file)]);
    expect(JSON.parse(await readFile(first!.file, "utf8"))).toEqual(first!.checkpoint);
  });

  it("are kept one per day past a week, and forged ones are left for verification to report", async () => {
    const log = await auditLogFixture();
    const at = async (iso: string) => {
      await log.write(1);
      return path.basename((await log.checkpoint(new Date(iso)))!.file);
    };
    const morning = await at("2026-01-01T10:00:00Z");
    const evening = await at("2026-01-01T18:00:00Z");
    const nextDay = await at("2026-01-02T09:00:00Z");
    const forged = "checkpoint-000000000099-00000000000000aa.json";
    const real = JSON.parse(await readFile(path.join(log.dir, morning), "utf8"));
    await writeFile(path.join(log.dir, forged), JSON.stringify({ ...real, headSeq: 99 }));
    const today = await at("2026-01-20T12:00:00Z");
    expect((await readdir(log.dir)).sort()).toEqual([evening, nextDay, today, forged].sort());
    expect((await log.verify()).problems).toEqual([expect.objectContaining({ kind: "forged-checkpoint", file: forged })]);
  });

  it("are written by a durable job at start, and delivered to a webhook receiver, retried until it accepts", async () => {
    const log = await auditLogFixture();
    await installJobs(log.database, auditJobs);
    const rows = await log.write(3);
    const received: { headers: IncomingHttpHeaders; body: Checkpoint }[] = [];
    let attempts = 0;
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        attempts++;
        if (attempts === 1) return void res.writeHead(503).end();
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    vi.stubEnv("AUDIT_CHECKPOINT_DIR", log.dir);
    vi.stubEnv("AUDIT_CHECKPOINT_URL", `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/checkpoints`);
    const runner = await startJobRunner(log.database, auditJobs);
    try {
      await expect.poll(() => received.length, { timeout: 50_000, interval: 500 }).toBe(1);
    } finally {
      await runner.stop();
      receiver.close();
      vi.unstubAllEnvs();
    }
    expect(attempts).toBe(2);
    const [{ headers, body }] = received;
    expect(body).toMatchObject({ type: "gov.audit.checkpoint", headId: rows[2].id, headSeq: 3, headHash: rows[2].hash, keyId: rows[2].keyId });
    expect(checkpointSignature(auditKeyRing(), body)).toBe("valid");
    expect(headers).toMatchObject({
      "content-type": "application/json",
      "x-gov-event": "audit.checkpoint",
      "x-gov-delivery": expect.stringMatching(/^checkpoint-000000000003-/),
    });
    // The same checkpoint is in the directory…
    const [file] = await readdir(log.dir);
    expect(JSON.parse(await readFile(path.join(log.dir, file), "utf8"))).toEqual(body);
    // …and the receiver's copy alone is enough to catch the newest rows being deleted.
    const copies = await tempDir();
    await writeFile(path.join(copies, headers["x-gov-delivery"] as string), JSON.stringify(body));
    await log.asDba((tx) => tx.execute("delete from audit_log where seq > 1"));
    expect((await log.verify({ checkpointDir: copies })).problems).toEqual([expect.objectContaining({ kind: "truncated", rows: 2 })]);
  });

  it("run every AUDIT_CHECKPOINT_MINUTES", () => {
    expect(checkpointCron(undefined)).toBe("*/5 * * * *");
    expect(checkpointCron("1")).toBe("*/1 * * * *");
    expect(checkpointCron("60")).toBe("0 * * * *");
    expect(() => checkpointCron("0")).toThrow('AUDIT_CHECKPOINT_MINUTES must be a whole number of minutes from 1 to 60, not "0".');
    expect(() => checkpointCron("five")).toThrow("AUDIT_CHECKPOINT_MINUTES must be a whole number");
  });
});
