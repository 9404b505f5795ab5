import { Command } from "commander";
import { migrate } from "@/db/migrate";
import { isSeeded, seed } from "@/db/seed";
import { escalateOverdueAttestations } from "@/lib/attestation/escalate";
import { checkpointAuditChain } from "@/lib/audit/checkpoint";
import { cliOperator } from "@/lib/audit/operator";
import { purgeAuditLog } from "@/lib/audit/purge";
import { verifyAuditLog } from "@/lib/audit/verify";
import { ValidationError } from "@/lib/errors";
import { installJobs, startJobRunner } from "@/lib/runtime/job-runner";
import { importDemoAccount } from "@/lib/ingest/aws/demo-account";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { runReconciliation } from "@/lib/reconciliation/run";
import { dateTime, integer, text } from "@/lib/validation/fields";
import { printAuditVerification, printPaths, printReconciliation } from "./print";
import { checked, describeTarget, path, withDatabase, withReadyDatabase } from "./context";
import { registerImportCommands } from "./import-commands";
import { pathsToAdmin } from "@/lib/escalation/read";
import { runEscalationAnalysis } from "@/lib/escalation/run";

// Scale 1 is about 40 people and 1,100 NHIs; benchmarks use up to 100.
const scale = checked(
  text()
    .regex(/^\d+(\.\d+)?$/, "Scale must be a positive number.")
    .transform(Number)
    .refine((n) => n > 0, "Scale must be a positive number.")
    .refine((n) => n <= 1000, "Scale is at most 1,000."),
);

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command("gov").description("Privileged access governance: command line").showHelpAfterError();
  const db = program.command("db").description("database set-up");

  db.command("migrate")
    .description("apply pending migrations")
    .action(() =>
      withReadyDatabase(async (database) => {
        console.log(`Migrations applied to ${describeTarget(database)}.`);
      }),
    );

  db.command("seed")
    .description("load the deterministic demo organisation")
    .option("--scale <n>", "size multiplier (1 = about 40 people and 1,100 NHIs)", scale, 1)
    .action((opts: { scale: number }) =>
      withDatabase(async (database) => {
        await migrate(database);
        if (await isSeeded(database.db)) {
          console.error(
            "The database already has identities; seed an empty database (for PGlite, remove its directory, and the audit checkpoints of the old one: ./.data/audit-checkpoints by default).",
          );
          exitCode = 1;
          return;
        }
        const summary = await seed(database.db, { scale: opts.scale, log: (m) => console.log(m) });
        await installJobs(database);
        const iam = await importDemoAccount(database.db);
        console.log(JSON.stringify({ ...summary, awsIam: { accountId: iam.accountId, identities: iam.identities.created } }, null, 2));
      }),
    );

  const audit = program.command("audit").description("audit log");
  audit
    .command("verify")
    .description(
      "verify every row's signature and link with the audit key, then the signed checkpoints against the chain; exit code 3 when rows were altered or lost, 2 when no audit key is configured",
    )
    .option("--checkpoints <dir>", "read checkpoints from this directory (e.g. the copies a receiver kept) instead of AUDIT_CHECKPOINT_DIR", path)
    .option("--json", "print the result as JSON", false)
    .action((opts: { checkpoints?: string; json: boolean }) =>
      withDatabase(async (database) => {
        const result = await verifyAuditLog(database.db, cliOperator(), { checkpointDir: opts.checkpoints });
        if (opts.json) console.log(JSON.stringify(result));
        else printAuditVerification(result);
        if (!result.ok) exitCode = result.keyConfigured ? 3 : 2;
      }),
    );
  audit
    .command("checkpoint")
    .description(
      "sign the chain's head now and write it to AUDIT_CHECKPOINT_DIR (and queue it for AUDIT_CHECKPOINT_URL); the app does this every AUDIT_CHECKPOINT_MINUTES",
    )
    .action(() =>
      withReadyDatabase(async (database) => {
        const written = await checkpointAuditChain(database.db);
        if (!written) console.log("The audit log is empty: nothing to checkpoint.");
        else
          console.log(
            `${written.written ? "Checkpoint written" : "Already checkpointed"}: ${written.file} (row ${written.checkpoint.headId}, chain position ${written.checkpoint.headSeq}).`,
          );
      }),
    );
  audit
    .command("purge")
    .description(
      "retention: delete the oldest rows, up to the first one written at or after --before, after verifying the whole log; records its own audit row and a checkpoint anchoring the rest",
    )
    .requiredOption("--before <date>", "remove rows written before this date (ISO 8601)")
    .action((opts: { before: string }) =>
      withReadyDatabase(async (database) => {
        const result = await purgeAuditLog(database.db, cliOperator(), { before: opts.before });
        console.log(
          `Purged ${result.rows.toLocaleString("en")} audit rows through row ${result.throughId} (chain position ${result.throughSeq}); recorded as audit row ${result.auditRowId}${result.checkpoint ? `, checkpoint ${result.checkpoint}` : ""}.`,
        );
      }),
    );

  const attest = program.command("attest").description("NHI owner attestation");
  attest
    .command("escalate")
    .description("escalate overdue attestations to the owner's manager (14+ days), then to the admins (28+ days)")
    .action(() =>
      withDatabase(async (database) => {
        const result = await escalateOverdueAttestations(database.db);
        console.log(
          `Escalated ${result.escalated} overdue ${result.escalated === 1 ? "attestation" : "attestations"}: ${result.toManager} to the owner's manager, ${result.toAdmins} to the admins.`,
        );
      }),
    );

  registerImportCommands(program, (code) => (exitCode = code));

  program
    .command("reconcile")
    .description("action-level reconciliation of one identity: approved versus used")
    .requiredOption(
      "--identity <name-or-arn>",
      "the identity: its id, name, or ARN (an assumed-role ARN finds its role)",
      checked(text().trim().min(1, "Name the identity.").max(2048, "At most 2,048 characters.")),
    )
    .option("--since <date>", "start of the window (default: 90 days before --until)", checked(dateTime("--since")))
    .option("--until <date>", "end of the window (default: now)", checked(dateTime("--until")))
    .option("--json", "print one JSON object", false)
    .option("--all", "list every unused action instead of counting them by group (AWS service, Kubernetes resource, repository)", false)
    .action((opts: { identity: string; since?: Date; until?: Date; json: boolean; all: boolean }) =>
      withDatabase(async (database) => {
        const result = await reconcileIdentity(database.db, { identity: opts.identity, since: opts.since, until: opts.until });
        if (opts.json) console.log(JSON.stringify(result));
        else printReconciliation(result, { all: opts.all });
      }),
    );

  const analysis = program.command("analyze").description("analyses of the inventory");
  analysis
    .command("paths")
    .description(
      "who can become administrator, and how: runs the escalation analysis (the app runs it after imports and hourly) and lists every identity that can reach administrator access with its shortest path",
    )
    .option("--class <id>", "only paths starting with this path class (e.g. lambda-create-invoke)", checked(text().trim().min(1).max(100)))
    .option("--json", "print one JSON object", false)
    .action((opts: { class?: string; json: boolean }) =>
      withReadyDatabase(async (database) => {
        const run = await runEscalationAnalysis(database.db);
        const paths = await pathsToAdmin(database.db, { pathClass: opts.class });
        if (opts.json) console.log(JSON.stringify({ analysis: run, identities: paths }));
        else printPaths(run, paths);
      }),
    );

  const findings = program.command("findings").description("reconciliation findings");
  findings
    .command("refresh")
    .description("run a reconciliation pass now: findings, creep scores and exposure, today's snapshot (the app runs one hourly)")
    .option("--window <days>", "the unused window in days", checked(integer("The window", 1, 3650, { type: "The window must be a whole number of days." })))
    .action((opts: { window?: number }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const s = await runReconciliation(database.db, { windowDays: opts.window });
        console.log(
          `${s.detected.toLocaleString("en")} findings detected: ${s.opened} new, ${s.updated} changed, ${s.resolved} resolved; ${s.identities.toLocaleString("en")} identities scored; ${s.snapshots} snapshots written in ${(s.elapsedMs / 1000).toFixed(1)} s.`,
        );
      }),
    );

  const jobs = program.command("jobs").description("durable background jobs");
  jobs
    .command("work")
    .description("work the job queues in this process until stopped (a worker beside web instances started with JOBS=0)")
    .action(() =>
      withReadyDatabase(async (database) => {
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
    // A validation error's message is generic; its field errors say what to fix.
    console.error(error instanceof ValidationError ? Object.values(error.fieldErrors).flat().join(" ") : error instanceof Error ? error.message : error);
    return 1;
  }
  return exitCode;
}
