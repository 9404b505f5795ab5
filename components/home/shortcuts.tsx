import Link from "next/link";

/** Links everyone has: their own access and the non-human identities they own or back up. */
export function Shortcuts({ identityId }: { identityId: string }) {
  return (
    <div className="mt-6 grid gap-4 sm:grid-cols-3">
      <Link href={`/identities/${identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
        <div className="font-medium">My access</div>
        <div className="text-sm text-slate-600">Grants, their provenance and expiry, and recent use.</div>
      </Link>
      <Link href={`/identities?ownerId=${identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
        <div className="font-medium">Identities I own</div>
        <div className="text-sm text-slate-600">Service accounts, keys, roles, bots and agents you are accountable for.</div>
      </Link>
      <Link href={`/identities?backupOwnerId=${identityId}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600">
        <div className="font-medium">Identities I back up</div>
        <div className="text-sm text-slate-600">Others own them; you answer for them when their owner cannot.</div>
      </Link>
    </div>
  );
}
