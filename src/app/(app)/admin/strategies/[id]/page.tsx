import { requireAccount } from "~/trpc/server";
import { StrategyManage } from "../_components/strategy-manage";

export default async function AdminStrategyPage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  await requireAccount(`/admin/strategies/${encodeURIComponent(id)}`, "admin");
  return <StrategyManage id={id} />;
}
