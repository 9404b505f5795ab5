import type { PrivilegeLevel } from "@/db/schema";

/**
 * Active Directory's built-in groups whose members administer the domain or
 * its servers, by common name (Microsoft, "Appendix B: Privileged Accounts and
 * Groups in Active Directory", and "Active Directory security groups"):
 * membership in the first set is administrator access to the domain or
 * forest; in the second, powers that lead to it (logging on to domain
 * controllers, backing up their databases, managing accounts, DNS or
 * certificates). Any other group's level is not known from the directory.
 */
const adminGroups = ["Administrators", "Domain Admins", "Enterprise Admins", "Schema Admins"];
const privilegedGroups = [
  "Account Operators",
  "Backup Operators",
  "Server Operators",
  "Print Operators",
  "Group Policy Creator Owners",
  "DnsAdmins",
  "Cert Publishers",
  "Key Admins",
  "Enterprise Key Admins",
  "Enterprise Read-only Domain Controllers",
  "Read-only Domain Controllers",
  "Domain Controllers",
];

const levels = new Map<string, PrivilegeLevel>([
  ...adminGroups.map((g) => [g.toLowerCase(), "admin"] as const),
  ...privilegedGroups.map((g) => [g.toLowerCase(), "privileged"] as const),
]);

/** The level of a directory group known by its name, or null when the name says nothing. */
export const directoryGroupLevel = (cn: string): PrivilegeLevel | null => levels.get(cn.trim().toLowerCase()) ?? null;
