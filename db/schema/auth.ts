import { pgEnum, pgTable, primaryKey, uuid } from "drizzle-orm/pg-core";
import { tz } from "./columns";
import { identities } from "./identity";

// Roles grant capabilities across the product. Ownership (of NHIs, of
// entitlements) and management lines are relations, not roles.
export const roles = ["admin", "auditor", "reviewer", "approver", "owner", "requester"] as const;
export type Role = (typeof roles)[number];
export const role = pgEnum("role", roles);

export const roleAssignments = pgTable(
  "role_assignments",
  {
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id),
    role: role("role").notNull(),
    grantedById: uuid("granted_by_id").references(() => identities.id),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.identityId, t.role] })],
);
