import { redirect } from "next/navigation";
import { isDemoMode } from "@/db/client";
import { getCaller } from "@/lib/auth/auth";
import { AppShell } from "@/components/shell/app-shell";
import { Providers } from "@/components/providers";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const caller = await getCaller();
  if (!caller) redirect("/signin");
  return (
    <Providers>
      <AppShell caller={caller} demo={isDemoMode()}>
        {children}
      </AppShell>
    </Providers>
  );
}
