// Kubernetes API server audit logs (audit.k8s.io/v1 Event objects, one per line, as the log backend writes them)
// → who exercised which request, when. Reference: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
import { k8sAction } from "@/lib/permissions/k8s/model";
import { readLogFiles, parseJsonLines, type UnreadableLine } from "@/lib/usage/files";
import type { SourceFile, SourceSkip, SourceUse } from "@/lib/usage/source";
import { serviceAccountOf } from "@/lib/permissions/k8s/users";

const LOG_NAME = /\.(log|json|jsonl|ndjson)(\.gz)?$|\.log\.\d+(\.gz)?$/i;

/** Audit log files: each path a file or a directory searched recursively for *.log, *.json, *.jsonl (gzipped too, rotated .log.N too). */
export const readK8sAudit = (paths: string[]): AsyncGenerator<SourceFile<unknown>> =>
  readLogFiles(paths, { accept: (n) => LOG_NAME.test(n), parse: parseJsonLines });

type Obj = Record<string, unknown>;
const str = (o: Obj | undefined, k: string) => (typeof o?.[k] === "string" && o[k] !== "" ? o[k] : null);
const obj = (o: Obj | undefined, k: string) => (o?.[k] && typeof o[k] === "object" && !Array.isArray(o[k]) ? (o[k] as Obj) : undefined);

/**
 * One audit event: a request by a user or service account, allowed or
 * refused (401, 403). Only the `ResponseComplete` stage counts, so a request
 * logged at several stages is one use; requests without a response
 * (RequestReceived, Panic) are skipped. The API server's own identities and
 * the nodes' (`system:*` other than service accounts) are nobody's unless the
 * inventory holds them. An impersonated request is the impersonated user's.
 */
export function classifyAuditEvent(record: unknown): SourceUse | SourceSkip {
  if ((record as UnreadableLine | null)?.unreadableLine) return { skip: "unreadable line" };
  if (!record || typeof record !== "object") return { skip: "not an audit event" };
  const e = record as Obj;
  if (e.kind !== "Event" || !str(e, "apiVersion")?.startsWith("audit.k8s.io/")) return { skip: "not an audit event" };
  if (e.stage !== "ResponseComplete") return { skip: "not the response stage" };
  const auditId = str(e, "auditID");
  const verb = str(e, "verb");
  const at = str(e, "stageTimestamp") ?? str(e, "requestReceivedTimestamp");
  const user = str(obj(e, "impersonatedUser"), "username") ?? str(obj(e, "user"), "username");
  const occurredAt = at ? new Date(at) : null;
  if (!auditId || !verb || !user || !occurredAt || Number.isNaN(occurredAt.getTime()) || auditId.length > 200 || verb.length > 100 || user.length > 1000)
    return { skip: "malformed" };
  if (user === "system:anonymous") return { skip: "anonymous" };
  const ref = obj(e, "objectRef");
  const resource = str(ref, "resource");
  let action: string;
  if (resource) {
    action = k8sAction({ namespace: str(ref, "namespace"), verb, group: str(ref, "apiGroup") ?? "", resource, subresource: str(ref, "subresource") });
  } else {
    const uri = str(e, "requestURI");
    if (!uri) return { skip: "malformed" };
    action = `:${verb}:url${uri.split("?")[0]}`;
  }
  if (action.length > 500) return { skip: "malformed" };
  const code = Number(obj(e, "responseStatus")?.code);
  return {
    eventId: auditId,
    principal: {
      key: user.toLowerCase(),
      label: user,
      // The control plane and the nodes act all day: not worth reporting, unless the inventory holds them.
      ...(user.startsWith("system:") && !serviceAccountOf(user) ? { quietWhenUnknown: "control plane or node" } : {}),
    },
    action,
    outcome: code === 401 || code === 403 ? "denied" : "success",
    occurredAt,
    sessionId: null,
  };
}
