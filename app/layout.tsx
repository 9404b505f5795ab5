import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Access Governance", template: "%s · Access Governance" },
  description: "One control plane for identity governance and privileged access.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
