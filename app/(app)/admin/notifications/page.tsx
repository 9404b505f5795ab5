import { getDb } from "@/db/client";
import { requireCaller } from "@/lib/auth/auth";
import { hasRole } from "@/lib/caller";
import { deliveryHealth } from "@/lib/notifications/deliveries";
import { getNotificationDefaults } from "@/lib/notifications/preferences";
import { PreferenceEditor } from "@/components/notifications/preference-editor";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Forbidden } from "@/components/ui/forbidden";
import { formatDateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, THead, Th } from "@/components/ui/table";

export const metadata = { title: "Notifications · Admin" };

export default async function AdminNotificationsPage() {
  const caller = await requireCaller();
  if (!hasRole(caller, "admin", "auditor")) return <Forbidden what="notification settings" />;
  const db = await getDb();
  const [defaults, health] = await Promise.all([getNotificationDefaults(db, caller), deliveryHealth(db, caller)]);
  const count = (channel: string, status: string) => health.counts.find((c) => c.channel === channel && c.status === status)?.n ?? 0;
  return (
    <>
      <PageHeader
        title="Notifications"
        description="What reaches people beyond the app by default, and how delivery is going. Each person can choose otherwise for themselves."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Defaults for everyone" className="lg:col-span-2">
          <p className="mb-2 text-sm text-slate-600">
            Email {defaults.configured.email ? "is set up (SMTP_URL)" : "is not set up: set SMTP_URL and MAIL_FROM"}. Chat{" "}
            {defaults.configured.chat === "bot"
              ? "posts to each person through the Slack bot, with Approve and Deny buttons."
              : defaults.configured.chat === "webhook"
                ? "posts to one Slack channel through an incoming webhook (no buttons)."
                : "is not set up: set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET for buttons) or SLACK_WEBHOOK_URL."}
          </p>
          <PreferenceEditor
            rows={defaults.events}
            endpoint="/api/v1/admin/notification-defaults"
            available={{ email: defaults.configured.email, chat: !!defaults.configured.chat }}
            personal={false}
            canEdit={hasRole(caller, "admin")}
          />
        </Card>
        <Card title="Delivery">
          <Table data-testid="delivery-counts">
            <THead plain>
              <Th flush>Channel</Th>
              <Th flush>Sent</Th>
              <Th flush>Waiting</Th>
              <Th flush>Given up</Th>
            </THead>
            <TBody>
              {(["email", "chat", "digest"] as const).map((c) => (
                <tr key={c}>
                  <td className="py-1.5 pr-3">{c}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{count(c, "sent")}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{count(c, "pending")}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{count(c, "dead")}</td>
                </tr>
              ))}
            </TBody>
          </Table>
        </Card>
      </div>
      <Card title="Failing or given up" className="mt-6">
        {health.troubled.length === 0 ? (
          <p className="text-sm text-slate-600">No delivery is failing.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="troubled-deliveries">
            {health.troubled.map((t) => (
              <li key={t.id} className="py-2">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={t.status === "dead" ? "red" : "amber"}>{t.status === "dead" ? "given up" : `retrying ${formatDateTime(t.nextAttemptAt)}`}</Badge>
                  <span className="font-medium">{t.channel}</span> to {t.recipient}: {t.title}
                </div>
                <p className="mt-1 break-words text-slate-500">
                  After {t.attempts} {t.attempts === 1 ? "attempt" : "attempts"}: {t.lastError}
                </p>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
