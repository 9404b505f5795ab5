import { getDb, isDemoMode } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { unreadCount } from "@/lib/notifications/inbox";
import { AppShell } from "@/components/shell/app-shell";
import { Providers } from "@/components/providers";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const caller = await requireCaller();
  const unread = await unreadCount(await getDb(), caller);
  return (
    <Providers>
      <AppShell caller={caller} demo={isDemoMode()} unread={unread}>
        {children}
      </AppShell>
    </Providers>
  );
}
