import { Command, InvalidArgumentError } from "commander";
import type { z } from "zod";
import { openDatabase, resolveTarget, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { isSeeded, seed } from "@/db/seed";
import { escalateOverdueAttestations } from "@/lib/attestation/escalate";
import { checkpointAuditChain } from "@/lib/audit/checkpoint";
import { cliOperator } from "@/lib/audit/operator";
import { purgeAuditLog } from "@/lib/audit/purge";
import { verifyAuditLog } from "@/lib/audit/verify";
import { ValidationError } from "@/lib/errors";
import { installJobs, startJobRunner } from "@/lib/runtime/job-runner";
import { readFile } from "node:fs/promises";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { importDemoAccount } from "@/lib/ingest/aws/demo-account";
import { importCloudTrail } from "@/lib/ingest/aws/cloudtrail-import";
import { clusterName, importK8sRbac } from "@/lib/ingest/k8s/rbac-import";
import { importK8sAudit } from "@/lib/ingest/k8s/audit-import";
import { importGitHub } from "@/lib/ingest/github/org-import";
import { readGitHubExportDir } from "@/lib/ingest/github/org";
import { importGitHubAudit } from "@/lib/ingest/github/audit-import";
import { importPostgresRoles, systemName } from "@/lib/ingest/postgres/roles-import";
import { importPgLog } from "@/lib/ingest/postgres/log-import";
import { reconcileIdentity } from "@/lib/reconciliation/actions";
import { runReconciliation } from "@/lib/reconciliation/run";
import { dateTime, integer, text } from "@/lib/validation/fields";
import {
  printAuditVerification,
  printGitHubSummary,
  printIamSummary,
  printK8sRbacSummary,
  printPgRolesSummary,
  printPaths,
  printReconciliation,
  printUsageImportSummary,
} from "./print";
import { pathsToAdmin } from "@/lib/escalation/read";
import { runEscalationAnalysis } from "@/lib/escalation/run";

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

/** For commands that write and may queue jobs: the database migrated, its job queues installed. */
const withReadyDatabase = <T>(fn: (db: Database) => Promise<T>): Promise<T> =>
  withDatabase(async (database) => {
    await migrate(database);
    await installJobs(database);
    return fn(database);
  });

/**
 * An option or argument parser from a field schema (lib/validation/fields.ts):
 * the rules of the API's fields, refused before anything runs; commander
 * names the option in front of the message.
 */
const checked =
  <T>(schema: z.ZodType<T>) =>
  (value: string): T => {
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidArgumentError(result.error.issues.map((i) => i.message).join(" "));
    return result.data;
  };

/** A variadic argument's parser: each value checked, collected in order. */
const each =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];

const path = checked(text().min(1, "Name a file."));
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

  const importer = program.command("import").description("load identities, access and usage from the systems themselves");
  importer
    .command("aws-iam")
    .description("import an AWS account's IAM: the JSON of `aws iam get-account-authorization-details`; re-importing updates in place")
    .argument("<file>", "the authorization details (JSON)", path)
    .option("--credential-report <file>", "the CSV of `aws iam get-credential-report` (decoded), to tell users with access keys from people", path)
    .option(
      "--scps <file>",
      'the organisation\'s service control policies for this account, root first: {"levels": [{"target", "policies": [{"Name", "Content"}]}]}',
      path,
    )
    .option("--json", "print the summary as JSON", false)
    .action((file: string, opts: { credentialReport?: string; scps?: string; json: boolean }) =>
      withReadyDatabase(async (database) => {
        const text = await readFile(file, "utf8");
        let authorizationDetails: unknown;
        try {
          authorizationDetails = JSON.parse(text);
        } catch (e) {
          throw new ValidationError({
            file: [`${file} is not JSON (${(e as Error).message}): pass the output of \`aws iam get-account-authorization-details\`.`],
          });
        }
        const credentialReport = opts.credentialReport ? await readFile(opts.credentialReport, "utf8") : undefined;
        const scps = opts.scps ? await readFile(opts.scps, "utf8") : undefined;
        const s = await importAwsIam(database.db, { authorizationDetails, credentialReport, scps });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printIamSummary(s);
      }),
    );
  importer
    .command("k8s-rbac")
    .description(
      "import a Kubernetes cluster's RBAC: the JSON of `kubectl get serviceaccounts,roles,clusterroles,rolebindings,clusterrolebindings -A -o json`; re-importing updates in place",
    )
    .argument("<files...>", "one or more List documents (JSON), read as one", each(path))
    .requiredOption("--cluster <name>", "the cluster's name (one system per cluster)", checked(clusterName))
    .option("--json", "print the summary as JSON", false)
    .action((files: string[], opts: { cluster: string; json: boolean }) =>
      withReadyDatabase(async (database) => {
        const documents: unknown[] = [];
        for (const file of files) {
          const text = await readFile(file, "utf8").catch((e: Error) => {
            throw new ValidationError({ file: [`${file} cannot be read: ${e.message}`] });
          });
          try {
            documents.push(JSON.parse(text));
          } catch (e) {
            throw new ValidationError({ file: [`${file} is not JSON (${(e as Error).message}): pass the output of \`kubectl get … -o json\`.`] });
          }
        }
        const s = await importK8sRbac(database.db, { cluster: opts.cluster, documents });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printK8sRbacSummary(s);
      }),
    );
  importer
    .command("github")
    .description("import a GitHub organisation's members, teams and repositories from a directory of REST API answers (layout in the README)")
    .argument("<dir>", "the directory", path)
    .option("--json", "print the summary as JSON", false)
    .action((dir: string, opts: { json: boolean }) =>
      withReadyDatabase(async (database) => {
        const s = await importGitHub(database.db, { export: await readGitHubExportDir(dir) });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printGitHubSummary(s);
      }),
    );
  importer
    .command("github-audit")
    .description("import a GitHub organisation's audit log export (a JSON array or JSON lines; .gz too; directories are searched recursively) as usage")
    .argument("<paths...>", "export files and directories", each(path))
    .requiredOption("--org <name>", "the organisation, as its members were imported", checked(text().trim().min(1, "Name the organisation.").max(100)))
    .option("--json", "print the summary as JSON", false)
    .action((paths: string[], opts: { org: string; json: boolean }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const s = await importGitHubAudit(database.db, { org: opts.org, paths });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printUsageImportSummary(s, "import the organisation's members with `gov import github`");
        if (s.unreadableFiles.length) exitCode = 2;
      }),
    );
  importer
    .command("pg-roles")
    .description("import a PostgreSQL server's roles, memberships, attributes and table privileges, read from the live server")
    .requiredOption("--system <name>", "the database system (created the first time; an existing one of that name is taken)", checked(systemName))
    .option("--url <url>", "the server's connection URL (postgres://…)")
    .option("--url-env <name>", "…or the environment variable holding it (keeps the password off the command line)")
    .option("--json", "print the summary as JSON", false)
    .action((opts: { system: string; url?: string; urlEnv?: string; json: boolean }) =>
      withReadyDatabase(async (database) => {
        const url = opts.urlEnv ? process.env[opts.urlEnv] : opts.url;
        if (!url || !!opts.url === !!opts.urlEnv)
          throw new ValidationError({ url: [opts.urlEnv ? `${opts.urlEnv} is not set.` : "Give the server's URL with --url or --url-env (one of them)."] });
        const s = await importPostgresRoles(database.db, { system: opts.system, url });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printPgRolesSummary(s);
      }),
    );
  importer
    .command("pg-log")
    .description("import a PostgreSQL server's pgaudit session log (csvlog or jsonlog, log_timezone UTC; .gz too; directories searched recursively) as usage")
    .argument("<paths...>", "log files and directories", each(path))
    .requiredOption("--system <name>", "the database system, as its roles were imported", checked(systemName))
    .option("--json", "print the summary as JSON", false)
    .action((paths: string[], opts: { system: string; json: boolean }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const s = await importPgLog(database.db, { system: opts.system, paths });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printUsageImportSummary(s, "import the server's roles with `gov import pg-roles`");
        if (s.unreadableFiles.length) exitCode = 2;
      }),
    );
  importer
    .command("cloudtrail")
    .description('import CloudTrail logs ({"Records": [...]}, .json or .json.gz; directories are searched recursively) as usage')
    .argument("<paths...>", "log files and directories", each(path))
    .option("--json", "print the summary as JSON", false)
    .action((paths: string[], opts: { json: boolean }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const s = await importCloudTrail(database.db, paths);
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printUsageImportSummary(s, "import their account's IAM with `gov import aws-iam`");
        if (s.unreadableFiles.length) exitCode = 2;
      }),
    );

  importer
    .command("k8s-audit")
    .description(
      "import a Kubernetes cluster's API server audit log (audit.k8s.io/v1 events, one per line; .gz too; directories are searched recursively) as usage",
    )
    .argument("<paths...>", "log files and directories", each(path))
    .requiredOption("--cluster <name>", "the cluster, as its RBAC was imported", checked(clusterName))
    .option("--json", "print the summary as JSON", false)
    .action((paths: string[], opts: { cluster: string; json: boolean }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const s = await importK8sAudit(database.db, { cluster: opts.cluster, paths });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printUsageImportSummary(s, "service accounts: import the cluster's RBAC with `gov import k8s-rbac`; people: by email or name");
        if (s.unreadableFiles.length) exitCode = 2;
      }),
    );

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
    .option("--all", "list every unused action instead of counting them by service", false)
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
