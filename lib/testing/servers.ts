import postgres from "postgres";

/** Whether a PostgreSQL server answers at url (tests against real servers skip, saying so, when none does). */
export async function pgReachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}
