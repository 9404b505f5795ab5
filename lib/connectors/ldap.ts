import {
  addMember,
  assertDn,
  connectorUrl,
  directoryConfig,
  directoryUrlProblem,
  dnKey,
  ensureGrantAccount,
  grantAccountDn,
  grantOfAccount,
  groupDn,
  groupMembers,
  memberDn,
  removeGrantAccount,
  removeMember,
  withDirectory,
} from "./ldap-target";
import { deliverMembership, markCredentialRemoved } from "./membership";
import { compareWithTarget, type TargetNaming } from "./target-state";
import type { ConnectorDriver, ConnectorRow } from "./types";

/**
 * The names a directory uses: an entitlement is a groupOfNames (its DN the
 * entitlement's external reference), an identity its entry's DN (its external
 * id), a grant's own account an entry in the connector's container. DNs are
 * compared the way the directory does (case and spacing aside).
 */
function directoryNaming(base: string): TargetNaming {
  return {
    group: groupDn,
    member: memberDn,
    grantOf: (dn) => grantOfAccount(base, dn),
    login: (grantId) => grantAccountDn(base, grantId),
    key: dnKey,
  };
}

/** The container in the connector's URL (its per-grant accounts live there); empty when the URL cannot be read, which the delivery then reports. */
const containerOf = (connector: ConnectorRow) => {
  try {
    return directoryConfig(connectorUrl(connector)).base;
  } catch {
    return "";
  }
};

/**
 * Enforces a system's grants as members of directory groups (OpenLDAP or
 * Active Directory-style groupOfNames/member): a grant becoming active adds
 * its holder's entry to the entitlement's group, a grant ending removes it
 * (unless another live grant holds it). A grant whose policy issues a
 * credential gets its own account in the connector's container instead (or as
 * well): a member of the group whose binds the directory refuses after the
 * grant's end (pwdEndTime, enforced by the ppolicy overlay), with or without
 * the product. Reads the groups' members back for the drift findings.
 */
export const ldapDriver: ConnectorDriver = {
  check({ systemId, url, urlEnv }) {
    const errors: Record<string, string[]> = {};
    if (!systemId) errors.systemId = ["Choose the system whose grants it enforces."];
    if (!!url === !!urlEnv) errors.url = ["Give the directory's URL or the environment variable holding it (one of them)."];
    else if (url) {
      const problem = directoryUrlProblem(url);
      if (problem) errors.url = [problem];
    }
    return Object.keys(errors).length ? errors : null;
  },
  configure({ url, urlEnv }) {
    return { config: urlEnv ? { urlEnv } : { url } };
  },
  redact(config) {
    // The bind password in a stored URL never leaves the server.
    return typeof config.url === "string" ? { ...config, url: config.url.replace(/^(ldaps?:\/\/[^@/]*?):[^@/]*@/, "$1:••••@") } : config;
  },
  deliver(db, connector, event) {
    return deliverMembership(db, connector, event, {
      naming: directoryNaming(containerOf(connector)),
      activate: (_tx, change, validUntil) =>
        withDirectory(connector, async (client, config) => {
          assertDn(change.group, "group");
          if (change.membership) assertDn(change.member, "identity");
          const detail: Record<string, unknown> = {};
          if (change.credential && validUntil) {
            detail.account = await ensureGrantAccount(client, config.base, { grantId: change.grantId!, group: change.group, validUntil });
            detail.validUntil = validUntil.toISOString();
          }
          if (change.membership) {
            await addMember(client, change.group, change.member);
            detail.member = change.member;
          }
          return detail;
        }),
      revoke: (db, change, keepMembership) =>
        withDirectory(connector, async (client, config) => {
          assertDn(change.group, "group");
          const detail: Record<string, unknown> = {};
          if (change.grantId) {
            const removed = await removeGrantAccount(client, config.base, { grantId: change.grantId, group: change.group });
            if (removed.existed) {
              detail.account = grantAccountDn(config.base, change.grantId);
              await markCredentialRemoved(db, change.grantId);
            }
          }
          if (change.membership && !keepMembership) {
            assertDn(change.member, "identity");
            const { emptied } = await removeMember(client, change.group, change.member);
            detail.member = change.member;
            if (emptied) detail.note = "the group's last member: the empty DN (nobody) holds its place, as groupOfNames needs one";
          }
          return detail;
        }),
    });
  },
  /** Reads the members of the system's groups and compares them with the live grants (lib/connectors/target-state.ts). */
  readState(db, connector) {
    return compareWithTarget(db, connector, directoryNaming(containerOf(connector)), (groups) =>
      withDirectory(connector, (client) => groupMembers(client, groups)),
    );
  },
};
