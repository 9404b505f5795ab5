import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import type { Db } from "@/db/client";
import { migrate } from "@/db/migrate";
import { ValidationError } from "@/lib/errors";
import type { UsageImportSummary } from "@/lib/usage/import";
import { importCloudTrail } from "@/lib/ingest/aws/cloudtrail-import";
import { importGitHubAudit, orgName } from "@/lib/ingest/github/audit-import";
import { readGitHubExportDir } from "@/lib/ingest/github/org";
import { importGitHub } from "@/lib/ingest/github/org-import";
import { importAwsIam } from "@/lib/ingest/import-aws-iam";
import { importK8sAudit } from "@/lib/ingest/k8s/audit-import";
import { clusterName, importK8sRbac } from "@/lib/ingest/k8s/rbac-import";
import { importPgLog } from "@/lib/ingest/postgres/log-import";
import { importSshLog } from "@/lib/ingest/ssh/log-import";
import { importPostgresRoles } from "@/lib/ingest/postgres/roles-import";
import { importDirectoryGroups } from "@/lib/ingest/ldap/groups-import";
import { systemName } from "@/lib/ingest/live-source";
import { checked, each, path, withDatabase, withReadyDatabase } from "./context";
import { printGitHubSummary, printIamSummary, printK8sRbacSummary, printLdapGroupsSummary, printPgRolesSummary, printUsageImportSummary } from "./print";

/** `gov import …`: one command per source, each the same import as its API route. `fail` sets the exit code. */
export function registerImportCommands(program: Command, fail: (code: number) => void) {
  const importer = program.command("import").description("load identities, access and usage from the systems themselves");
  // Every usage log import: the same summary (or JSON), and exit code 2 when a file could not be read.
  const usageImport =
    <O extends { json: boolean }>(unknownHint: string, run: (db: Db, paths: string[], opts: O) => Promise<UsageImportSummary>) =>
    (paths: string[], opts: O) =>
      withDatabase(async (database) => {
        await migrate(database);
        const s = await run(database.db, paths, opts);
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printUsageImportSummary(s, unknownHint);
        if (s.unreadableFiles.length) fail(2);
      });
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
    .requiredOption("--org <name>", "the organisation, as its members were imported", checked(orgName))
    .option("--json", "print the summary as JSON", false)
    .action(
      usageImport("import the organisation's members with `gov import github`", (db, paths, o: { org: string; json: boolean }) =>
        importGitHubAudit(db, { org: o.org, paths }),
      ),
    );
  // Importers that read a live server: its URL on the command line or in an environment variable, checked before the database is opened.
  const liveUrl = (o: { url?: string; urlEnv?: string }, what: string) => {
    const url = o.urlEnv ? process.env[o.urlEnv] : o.url;
    if (!url || !!o.url === !!o.urlEnv)
      throw new ValidationError({ url: [o.urlEnv ? `${o.urlEnv} is not set.` : `Give the ${what}'s URL with --url or --url-env (one of them).`] });
    return url;
  };
  importer
    .command("pg-roles")
    .description("import a PostgreSQL server's roles, memberships, attributes and table privileges, read from the live server")
    .requiredOption("--system <name>", "the database system (created the first time; an existing one of that name is taken)", checked(systemName))
    .option("--url <url>", "the server's connection URL (postgres://…)")
    .option("--url-env <name>", "…or the environment variable holding it (keeps the password off the command line)")
    .option("--json", "print the summary as JSON", false)
    .action((opts: { system: string; url?: string; urlEnv?: string; json: boolean }) => {
      const url = liveUrl(opts, "server");
      return withReadyDatabase(async (database) => {
        const s = await importPostgresRoles(database.db, { system: opts.system, url });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printPgRolesSummary(s);
      });
    });
  importer
    .command("ldap-groups")
    .description("import a directory's groups (groupOfNames), people and memberships under a base DN, read from the live LDAP server")
    .requiredOption("--system <name>", "the directory system (created the first time; an existing one of that name is taken)", checked(systemName))
    .option("--url <url>", "ldap://<bind DN>:<password>@host:389/<base DN>")
    .option("--url-env <name>", "…or the environment variable holding it (keeps the password off the command line)")
    .option("--json", "print the summary as JSON", false)
    .action((opts: { system: string; url?: string; urlEnv?: string; json: boolean }) => {
      const url = liveUrl(opts, "directory");
      return withReadyDatabase(async (database) => {
        const s = await importDirectoryGroups(database.db, { system: opts.system, url });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printLdapGroupsSummary(s);
      });
    });
  importer
    .command("pg-log")
    .description("import a PostgreSQL server's pgaudit session log (csvlog or jsonlog, log_timezone UTC; .gz too; directories searched recursively) as usage")
    .argument("<paths...>", "log files and directories", each(path))
    .requiredOption("--system <name>", "the database system, as its roles were imported", checked(systemName))
    .option("--json", "print the summary as JSON", false)
    .action(
      usageImport("import the server's roles with `gov import pg-roles`", (db, paths, o: { system: string; json: boolean }) =>
        importPgLog(db, { system: o.system, paths }),
      ),
    );
  importer
    .command("ssh-log")
    .description(
      "import hosts' sshd authentication logs (syslog or journald short-iso; .gz too; directories searched) as session evidence of the SSH certificates issued here",
    )
    .argument("<paths...>", "log files and directories", each(path))
    .requiredOption("--system <name>", "the system whose SSH connector signed the certificates")
    .option("--json", "print the summary as JSON", false)
    .action(
      usageImport("add an SSH connector for the system and issue certificates first", (db, paths, o: { system: string; json: boolean }) =>
        importSshLog(db, { system: o.system, paths }),
      ),
    );
  importer
    .command("cloudtrail")
    .description('import CloudTrail logs ({"Records": [...]}, .json or .json.gz; directories are searched recursively) as usage')
    .argument("<paths...>", "log files and directories", each(path))
    .option("--json", "print the summary as JSON", false)
    .action(usageImport("import their account's IAM with `gov import aws-iam`", (db, paths) => importCloudTrail(db, paths)));

  importer
    .command("k8s-audit")
    .description(
      "import a Kubernetes cluster's API server audit log (audit.k8s.io/v1 events, one per line; .gz too; directories are searched recursively) as usage",
    )
    .argument("<paths...>", "log files and directories", each(path))
    .requiredOption("--cluster <name>", "the cluster, as its RBAC was imported", checked(clusterName))
    .option("--json", "print the summary as JSON", false)
    .action(
      usageImport(
        "service accounts: import the cluster's RBAC with `gov import k8s-rbac`; people: by email or name",
        (db, paths, o: { cluster: string; json: boolean }) => importK8sAudit(db, { cluster: o.cluster, paths }),
      ),
    );
}
