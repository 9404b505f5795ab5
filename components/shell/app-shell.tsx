import Link from "next/link";
import { signOut } from "@/lib/auth/auth";
import type { Caller } from "@/lib/caller";
import { navItems } from "./nav-items";
import { MobileMenu } from "./mobile-menu";
import { NavLink } from "./nav-link";

export function AppShell({ caller, demo, unread, children }: { caller: Caller; demo: boolean; unread: number; children: React.ReactNode }) {
  const items = navItems.filter((item) => !item.roles || item.roles.some((r) => caller.roles.has(r)));
  const links = items.map((item) => <NavLink key={item.href} href={item.href} label={item.label} />);
  return (
    // Below md the sidebar is a bar across the top whose sections fold into a menu: a phone keeps the page's width.
    <div className="flex min-h-screen flex-col md:flex-row">
      <aside className="flex shrink-0 flex-col bg-brand-900 px-3 py-2 text-white md:w-60 md:py-4">
        <div className="flex items-center gap-2 px-3 py-1 md:mb-6 md:py-0">
          <svg aria-hidden viewBox="0 0 32 32" className="h-7 w-7">
            <rect width="32" height="32" rx="7" fill="currentColor" className="text-brand-600" />
            <path d="M16 6l8 3v6c0 5-3.4 9.4-8 11-4.6-1.6-8-6-8-11V9z" fill="#fff" />
          </svg>
          <span className="text-sm font-semibold leading-tight">Access Governance</span>
        </div>
        <nav aria-label="Main" className="hidden gap-1 md:flex md:flex-1 md:flex-col">
          {links}
        </nav>
        <MobileMenu>
          <nav aria-label="Main" className="flex flex-col gap-1 pb-2 pt-1">
            {links}
          </nav>
        </MobileMenu>
        {demo && <p className="mx-3 mt-4 hidden rounded bg-white/10 px-2 py-1 text-xs text-slate-200 md:block">Demo mode: seeded organisation</p>}
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-4 py-3 md:gap-4 md:px-6">
          <Link
            href="/notifications"
            className="relative rounded-md p-1.5 text-slate-600 hover:bg-slate-100"
            aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
            data-testid="notification-bell"
          >
            <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8">
              <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            {unread > 0 && (
              <span className="absolute -right-1 -top-1 min-w-5 rounded-full bg-rose-600 px-1 text-center text-[11px] font-semibold leading-5 text-white">
                {unread > 99 ? "99+" : unread}
              </span>
            )}
          </Link>
          <div className="text-right">
            <div className="text-sm font-medium" data-testid="signed-in-as">
              {caller.name}
            </div>
            <div className="text-xs text-slate-500">{[...caller.roles].join(", ") || "no roles"}</div>
          </div>
          <form
            action={async () => {
              "use server";
              await signOut({ redirectTo: "/signin" });
            }}
          >
            <button className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">Sign out</button>
          </form>
        </header>
        <main className="flex-1 px-4 py-6 md:px-6">{children}</main>
      </div>
    </div>
  );
}
