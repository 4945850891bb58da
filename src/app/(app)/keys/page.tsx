import Link from "next/link";
import { getEnv } from "~/env";
import { KeysManager } from "./_components/keys-manager";

export default function KeysPage() {
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold">Exchange keys</h1>
          <p className="text-sm text-slate-600">Signals trade on your own account with your own key. Nobody else&apos;s key is ever used for you.</p>
        </div>
        <Link href="/keys/status" className="text-sm font-medium text-brand-600 hover:underline">
          Verification history →
        </Link>
      </div>
      <KeysManager egressIps={getEnv().EGRESS_IPS} />
    </div>
  );
}
