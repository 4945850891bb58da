-- Protective orders (#15): stop-loss, take-profits and trailing stops KeyRelay places on the user's own
-- account per position; their fills book into the position like the strategy's own orders.
CREATE TYPE "MarginMode" AS ENUM ('ISOLATED', 'CROSS');

-- CreateEnum
CREATE TYPE "ProtectionKind" AS ENUM ('STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP');

-- CreateEnum
CREATE TYPE "ProtectionStatus" AS ENUM ('PENDING', 'OPEN', 'FILLED', 'CANCELED', 'FAILED');

-- AlterTable
ALTER TABLE "Fill" ADD COLUMN     "protectiveOrderId" TEXT,
ALTER COLUMN "executionId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Position" ADD COLUMN     "protectionNote" TEXT,
ADD COLUMN     "protectionPlan" JSONB,
ADD COLUMN     "unprotectedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Strategy" ADD COLUMN     "protection" JSONB;

-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "protection" JSONB,
ADD COLUMN     "leverage" INTEGER,
ADD COLUMN     "marginMode" "MarginMode";

-- CreateTable
CREATE TABLE "ProtectiveOrder" (
    "id" TEXT NOT NULL,
    "positionId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "kind" "ProtectionKind" NOT NULL,
    "level" INTEGER NOT NULL DEFAULT 0,
    "clientOrderId" TEXT NOT NULL,
    "exchangeOrderId" TEXT,
    "status" "ProtectionStatus" NOT NULL DEFAULT 'PENDING',
    "side" TEXT NOT NULL,
    "amount" DECIMAL(36,18) NOT NULL,
    "triggerPrice" DECIMAL(36,18),
    "callbackPct" DECIMAL(10,4),
    "filledAmount" DECIMAL(36,18),
    "averagePrice" DECIMAL(36,18),
    "fee" DECIMAL(36,18),
    "feeCurrency" TEXT,
    "message" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "ProtectiveOrder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProtectiveOrder_clientOrderId_key" ON "ProtectiveOrder"("clientOrderId");

-- CreateIndex
CREATE INDEX "ProtectiveOrder_positionId_status_idx" ON "ProtectiveOrder"("positionId", "status");

-- CreateIndex
CREATE INDEX "ProtectiveOrder_subscriptionId_symbol_status_idx" ON "ProtectiveOrder"("subscriptionId", "symbol", "status");

-- CreateIndex
CREATE INDEX "ProtectiveOrder_status_idx" ON "ProtectiveOrder"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_protectiveOrderId_key" ON "Fill"("protectiveOrderId");

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_protectiveOrderId_fkey" FOREIGN KEY ("protectiveOrderId") REFERENCES "ProtectiveOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProtectiveOrder" ADD CONSTRAINT "ProtectiveOrder_positionId_fkey" FOREIGN KEY ("positionId") REFERENCES "Position"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A fill comes from exactly one order: an execution or a protective order.
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_one_source" CHECK (num_nonnulls("executionId", "protectiveOrderId") = 1);

-- One live protective order per slot (the stop-loss, each take-profit level, the trailing stop) of a
-- position: two runs of the sync at once cannot both place the same order.
CREATE UNIQUE INDEX "ProtectiveOrder_one_active_per_slot" ON "ProtectiveOrder" ("positionId", kind, level) WHERE status IN ('PENDING', 'OPEN');
