import { DashboardOverview } from "./dashboard-overview";
import { DashboardSummary } from "./dashboard-summary";
import { PositionsCard } from "./positions-card";

export default function DashboardPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <DashboardOverview />
      <PositionsCard />
      <DashboardSummary />
    </div>
  );
}
