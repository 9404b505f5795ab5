import type { Role } from "@/db/schema";

export type NavItem = { href: string; label: string; roles?: Role[] };

/** Sections of the product; `roles` hides a section from callers who could not use it anyway. */
export const navItems: NavItem[] = [
  { href: "/", label: "Home" },
  { href: "/dashboard", label: "Dashboard", roles: ["admin", "auditor", "reviewer", "approver"] },
  { href: "/identities", label: "Identities" },
  { href: "/certifications", label: "Certifications" },
  { href: "/attestations", label: "Attestations" },
  { href: "/access-requests", label: "Access requests (JIT)" },
  { href: "/reconciliation", label: "Reconciliation", roles: ["admin", "auditor"] },
  { href: "/audit", label: "Audit log", roles: ["admin", "auditor"] },
  { href: "/admin", label: "Admin", roles: ["admin", "auditor"] },
];
