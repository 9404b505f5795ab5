import Link from "next/link";
import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { getMyNotificationPreferences } from "@/lib/notifications/preferences";
import { PreferenceEditor } from "@/components/notifications/preference-editor";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";

export const metadata = { title: "Where notices reach you" };

export default async function NotificationSettingsPage() {
  const caller = await requireCaller();
  const prefs = await getMyNotificationPreferences(await getDb(), caller);
  const { email, chat, address } = prefs.available;
  return (
    <>
      <PageHeader
        title="Where notices reach you"
        description={
          <>
            Every notice is always in your{" "}
            <Link href="/notifications" className="text-brand-700 hover:underline">
              inbox
            </Link>{" "}
            here. Choose, per kind, what also reaches you by email, in chat, or once a day in a digest (sent at 07:00 UTC).
          </>
        }
      />
      <Card>
        <p className="mb-2 text-sm text-slate-600" data-testid="channel-status">
          {email ? `Email goes to ${address}.` : address ? "Email is not set up on this server yet." : "You have no email address on record."}{" "}
          {chat ? "Chat messages go to the Slack account with your email." : "Chat is not set up on this server yet."}
        </p>
        <PreferenceEditor rows={prefs.events} endpoint="/api/v1/me/notification-preferences" available={{ email, chat }} personal />
      </Card>
    </>
  );
}
