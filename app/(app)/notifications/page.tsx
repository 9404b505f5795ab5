import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { listNotifications } from "@/lib/notifications/inbox";
import { NotificationList } from "@/components/notifications/notification-list";
import { PageHeader } from "@/components/ui/page-header";
import { overTheWire } from "@/lib/http/client";

export const metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const caller = await requireCaller();
  const initial = await listNotifications(await getDb(), caller, {});
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Reminders, approvals waiting for you, break-glass use and escalations."
        actions={
          <Link href="/notifications/settings" className="text-sm font-medium text-brand-700 hover:underline">
            Email, chat and digest settings
          </Link>
        }
      />
      <NotificationList initial={overTheWire(initial)} />
    </>
  );
}
