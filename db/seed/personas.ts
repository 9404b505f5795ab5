import type { Role } from "../schema";

/**
 * The demo organisation's named people, one per way of using the product. The
 * sign-in page offers them only in demo mode.
 */
export const personas = [
  {
    key: "admin",
    name: "Priya Raman",
    email: "priya.raman@acme.example",
    title: "IAM Administrator",
    team: "Security",
    roles: ["admin"],
    blurb: "Defines systems, entitlements, policies and campaigns.",
  },
  {
    key: "owner",
    name: "Marcus Chen",
    email: "marcus.chen@acme.example",
    title: "Staff Platform Engineer",
    team: "Platform",
    roles: ["owner", "requester"],
    blurb: "Owns dozens of service accounts, keys and bots.",
  },
  {
    key: "reviewer",
    name: "Sofia Alvarez",
    email: "sofia.alvarez@acme.example",
    title: "Engineering Manager, Payments",
    team: "Payments",
    roles: ["reviewer", "owner", "requester"],
    blurb: "Certifies her team's access in campaigns.",
  },
  {
    key: "approver",
    name: "Tom Okafor",
    email: "tom.okafor@acme.example",
    title: "SRE Lead",
    team: "SRE",
    roles: ["approver", "owner", "requester"],
    blurb: "Approves just-in-time elevation.",
  },
  {
    key: "requester",
    name: "Lena Novak",
    email: "lena.novak@acme.example",
    title: "Software Engineer",
    team: "Payments",
    roles: ["requester"],
    blurb: "Asks for time-bound elevation she is eligible for.",
  },
  {
    key: "auditor",
    name: "Grace Liu",
    email: "grace.liu@acme.example",
    title: "CISO",
    team: "Security",
    roles: ["auditor"],
    blurb: "Reads risk, findings and evidence; changes nothing.",
  },
] as const satisfies ReadonlyArray<{ key: string; name: string; email: string; title: string; team: string; roles: Role[]; blurb: string }>;

export type PersonaKey = (typeof personas)[number]["key"];
export const personaKeys = personas.map((p) => p.key) as [PersonaKey, ...PersonaKey[]];
