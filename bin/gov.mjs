#!/usr/bin/env node
// The `gov` command line. Runs the TypeScript sources through tsx so the CLI
// and the app share one codebase and one set of domain rules.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
// Output piped into a reader that stops early (`gov … | head`) ends the command quietly, as other tools do.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv);
