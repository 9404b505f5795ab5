import { sql, type SQL } from "drizzle-orm";
import { findingKeySql as key } from "@/lib/findings/raise";
import type { Detector } from "./context";

/** A credential type's maximum age when no rotation policy names it. */
const DEFAULT_CREDENTIAL_AGE_DAYS = 365;

/**
 * An active credential outside its type's rotation policy, for SQL over a
 * credential `c` left-joined to its policy `p` (credential_policies; a year
 * where a type has none): past its maximum age, expired but still active, or
 * without the expiry its policy requires. Findings and the inventory count agree.
 */
export const outsideRotationPolicy = (now: SQL) =>
  sql`(coalesce(c.last_rotated_at, c.issued_at) < ${now} - make_interval(days => coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS}))
    or c.expires_at < ${now} or (p.require_expiry and c.expires_at is null))`;

/** Each active credential against its type's rotation policy. */
export const detectStaleCredential: Detector = ({ insert, now }) =>
  insert(sql`
    select ${key("stale_credential", sql`c.identity_id`, null, null, sql`c.id`)}, 'stale_credential',
      (case when c.expires_at < ${now}::timestamptz then 'high' else 'medium' end)::finding_severity,
      c.identity_id, null, null, i.system_id,
      c.label || (case when c.expires_at < ${now}::timestamptz then ' expired but still active'
        when coalesce(c.last_rotated_at, c.issued_at) >= ${now}::timestamptz - make_interval(days => coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS})) then ' has no expiry, which its policy requires'
        when c.last_rotated_at is null then ' never rotated in ' || (${now}::date - c.issued_at::date) || ' days'
        else ' last rotated ' || (${now}::date - c.last_rotated_at::date) || ' days ago' end)
        || (case when c.expires_at < ${now}::timestamptz then '' else ' (policy: rotate every ' || coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS}) || ' days)' end),
      jsonb_build_object('credentialId', c.id, 'type', c.type, 'issuedAt', c.issued_at, 'lastRotatedAt', c.last_rotated_at, 'expiresAt', c.expires_at,
        'maxAgeDays', coalesce(p.max_age_days, ${DEFAULT_CREDENTIAL_AGE_DAYS}), 'requireExpiry', coalesce(p.require_expiry, false))
    from credentials c join identities i on i.id = c.identity_id left join credential_policies p on p.type = c.type
    where c.status = 'active' and i.status = 'active' and ${outsideRotationPolicy(sql`${now}::timestamptz`)}`);
