import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files it loads from its own package
  // directory; bundling it would break those paths.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "pg-boss", "pg"],
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
