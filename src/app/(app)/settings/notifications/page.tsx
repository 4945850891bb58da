import Link from "next/link";
import { AddChannelForms } from "./_components/add-channel-forms";
import { ChannelList } from "./_components/channel-list";

export default function NotificationSettingsPage() {
  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm">
          <Link href="/settings" className="text-brand-700 hover:underline">
            Settings
          </Link>{" "}
          / Notifications
        </p>
        <h1 className="text-2xl font-semibold">Notifications</h1>
        <p className="text-sm text-slate-600">
          Every event appears under the bell. Choose which events also go to your email, Telegram or an outgoing webhook. A channel that fails never delays trading or the other channels;
          see each notification&apos;s delivery log on the{" "}
          <Link href="/notifications" className="text-brand-700 hover:underline">
            notifications page
          </Link>
          .
        </p>
      </div>
      <ChannelList />
      <AddChannelForms />
    </div>
  );
}
