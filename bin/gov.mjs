#!/usr/bin/env node
// The `gov` command line. Runs the TypeScript sources through tsx so the CLI
// and the app share one codebase and one set of domain rules.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv);
