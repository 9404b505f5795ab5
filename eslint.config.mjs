// Lint enforces the architecture (docs/architecture.md) so it does not rest on
// memory: the layers' import directions, no import cycles, React's hook rules,
// and typescript-eslint's recommended rules, type-aware ones included.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/** Imports a folder may not make; `allowTypeImports` lets components read the schema's types, never its runtime. */
const forbid = (groups, message, allowTypeImports = false) => ({
  "@typescript-eslint/no-restricted-imports": ["error", { patterns: [{ group: groups, message, allowTypeImports }] }],
});

export default tseslint.config(
  { ignores: [".next/**", ".next-bench/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "db/migrations/**", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The type-aware rules (floating promises, unsafe any, needless assertions …), with the type checker's view of the project.
  ...tseslint.configs.recommendedTypeCheckedOnly.map((c) => ({ ...c, files: ["**/*.{ts,tsx}"] })),
  { files: ["**/*.{ts,tsx}"], languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  // Async signatures are what Next.js, the route wrapper and mocks ask for, with or without an await inside.
  { rules: { "@typescript-eslint/require-await": "off" } },
  // Tests, their fixtures and benchmarks read JSON answers of any shape: `any` there is the point, not a leak.
  {
    files: ["**/*.test.ts", "lib/testing/**", "**/test-*.ts", "e2e/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    files: ["**/*.{ts,tsx,mjs}"],
    plugins: { "import-x": importX },
    settings: {
      // Parse imported TypeScript too, so cycles through .ts/.tsx files are seen.
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  // React's rules where React is: pages and components (lib/ has none; its test fixtures' `use` is vitest's).
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: { ...reactHooks.configs.recommended.rules, ...nextPlugin.configs.recommended.rules },
  },
  // Node scripts.
  { files: ["bin/**/*.mjs", "*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } } },
  // Test support reads JSON of any shape.
  { files: ["lib/testing/**", "lib/scim/test-client.ts"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  // The layers: db below lib, lib below app and components.
  { files: ["db/**/*.ts"], rules: forbid(["@/lib/*", "@/app/*", "@/components/*"], "db/ stands alone: it may not import lib/, app/ or components/.") },
  {
    files: ["lib/**/*.ts"],
    ignores: ["lib/**/*.test.ts", "lib/testing/**"],
    rules: forbid(["@/app/*", "@/components/*"], "lib/ is the domain: it may not import app/ or components/."),
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: forbid(["@/db/*", "@/db/**"], "Components read the schema's types only: runtime values from db/ would reach the browser bundle.", true),
  },
);
