import Link from "next/link";
import { NotificationList } from "./_components/notification-list";

export default function NotificationsPage() {
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Notifications</h1>
        <Link href="/settings/notifications" className="text-sm font-medium text-brand-700 hover:underline">
          Channels and events
        </Link>
      </div>
      <NotificationList />
    </div>
  );
}
