import { Command, InvalidArgumentError } from "commander";
import { openDatabase, resolveTarget, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { isSeeded, seed } from "@/db/seed";
import { escalateOverdueAttestations } from "@/lib/attestation/escalate";
import { verifyAuditChain } from "@/lib/audit/verify";
import { installJobs, startJobRunner } from "@/lib/jobs/runner";

function describeTarget(db: Database) {
  return db.target.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite ${db.target.dataDir ?? "in memory"}`;
}

// PGlite is one process, one connection: the CLI must not open the data
// directory while the app server has it open.
async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(resolveTarget());
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

function positiveNumber(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("Scale must be a positive number.");
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command("gov").description("Privileged access governance: command line").showHelpAfterError();
  const db = program.command("db").description("database set-up");

  db.command("migrate")
    .description("apply pending migrations")
    .action(() =>
      withDatabase(async (database) => {
        await migrate(database);
        await installJobs(database);
        console.log(`Migrations applied to ${describeTarget(database)}.`);
      }),
    );

  db.command("seed")
    .description("load the deterministic demo organisation")
    .option("--scale <n>", "size multiplier (1 = about 40 people and 1,100 NHIs)", positiveNumber, 1)
    .action((opts: { scale: number }) =>
      withDatabase(async (database) => {
        await migrate(database);
        if (await isSeeded(database.db)) {
          console.error("The database already has identities; seed an empty database (for PGlite, remove its directory).");
          exitCode = 1;
          return;
        }
        const summary = await seed(database.db, { scale: opts.scale, log: (m) => console.log(m) });
        console.log(JSON.stringify(summary, null, 2));
      }),
    );

  const audit = program.command("audit").description("audit log");
  audit
    .command("verify")
    .description("check the hash chain and report the first broken link")
    .option("--json", "print the result as JSON", false)
    .action((opts: { json: boolean }) =>
      withDatabase(async (database) => {
        const result = await verifyAuditChain(database.db);
        if (opts.json) console.log(JSON.stringify(result));
        else if (result.ok) console.log(`Audit chain intact: ${result.checked} rows verified.`);
        else console.log(`Audit chain BROKEN at row ${result.brokenAt}: ${result.reason}. ${result.checked} rows verified before it.`);
        if (!result.ok) exitCode = 3;
      }),
    );

  const attest = program.command("attest").description("NHI owner attestation");
  attest
    .command("escalate")
    .description("escalate overdue attestations to the owner's manager (14+ days), then to the admins (28+ days)")
    .action(() =>
      withDatabase(async (database) => {
        const result = await escalateOverdueAttestations(database.db);
        console.log(`Escalated ${result.escalated} overdue ${result.escalated === 1 ? "attestation" : "attestations"}: ${result.toManager} to the owner's manager, ${result.toAdmins} to the admins.`);
      }),
    );

  const jobs = program.command("jobs").description("durable background jobs");
  jobs
    .command("work")
    .description("work the job queues in this process until stopped (a worker beside web instances started with JOBS=0)")
    .action(() =>
      withDatabase(async (database) => {
        await migrate(database);
        await installJobs(database);
        const runner = await startJobRunner(database);
        console.log(`Working job queues on ${describeTarget(database)}; Ctrl-C stops.`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await runner.stop();
      }),
    );

  try {
    await program.parseAsync(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
  return exitCode;
}
