import Link from "next/link";
import { KeyHistory } from "./key-history";

export default function KeyStatusPage() {
  return (
    <div className="space-y-6">
      <div>
        <Link href="/keys" className="text-sm text-brand-600 hover:underline">← Keys</Link>
        <h1 className="text-2xl font-semibold">Key status and verification history</h1>
      </div>
      <KeyHistory />
    </div>
  );
}
