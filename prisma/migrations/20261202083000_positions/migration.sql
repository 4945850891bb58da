-- Positions: what each strategy holds on each subscriber's account, built from fills.
-- An execution is now one leg of a subscriber's reaction to a signal: a reversal is a CLOSE leg and
-- an OPEN leg that WAITs until the close has filled.

-- CreateEnum
CREATE TYPE "OrderIntent" AS ENUM ('OPEN', 'CLOSE');

-- CreateEnum
CREATE TYPE "PositionSide" AS ENUM ('LONG', 'SHORT', 'FLAT');

-- CreateEnum
CREATE TYPE "FillEffect" AS ENUM ('OPEN', 'ADD', 'REDUCE', 'CLOSE', 'FLIP');

-- AlterEnum
ALTER TYPE "ExecutionStatus" ADD VALUE 'WAITING';

-- DropIndex
DROP INDEX "Execution_signalId_subscriptionId_key";

-- AlterTable
ALTER TABLE "Execution" ADD COLUMN     "closeFraction" DECIMAL(36,18),
ADD COLUMN     "intent" "OrderIntent",
ADD COLUMN     "leg" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "positionSide" "PositionSide";

-- CreateTable
CREATE TABLE "Position" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "paper" BOOLEAN NOT NULL,
    "exchange" "Exchange",
    "symbol" TEXT NOT NULL,
    "marketType" "MarketType" NOT NULL,
    "side" "PositionSide" NOT NULL DEFAULT 'FLAT',
    "size" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "grossSize" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "entryValue" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "openFees" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "realizedPnl" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "feesPaid" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "openedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "driftNote" TEXT,
    "driftAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

CONSTRAINT "Position_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" TEXT NOT NULL,
    "executionId" TEXT NOT NULL,
    "positionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "paper" BOOLEAN NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "effect" "FillEffect" NOT NULL,
    "amount" DECIMAL(36,18) NOT NULL,
    "price" DECIMAL(36,18) NOT NULL,
    "fee" DECIMAL(36,18),
    "feeCurrency" TEXT,
    "feeQuote" DECIMAL(36,18),
    "realizedPnl" DECIMAL(36,18) NOT NULL DEFAULT 0,
    "slippagePct" DECIMAL(18,8),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

CONSTRAINT "Fill_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Position_userId_side_idx" ON "Position"("userId", "side");

-- CreateIndex
CREATE INDEX "Position_strategyId_side_idx" ON "Position"("strategyId", "side");

-- CreateIndex
CREATE UNIQUE INDEX "Position_subscriptionId_symbol_paper_key" ON "Position"("subscriptionId", "symbol", "paper");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_executionId_key" ON "Fill"("executionId");

-- CreateIndex
CREATE INDEX "Fill_userId_createdAt_idx" ON "Fill"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Fill_strategyId_createdAt_idx" ON "Fill"("strategyId", "createdAt");

-- CreateIndex
CREATE INDEX "Fill_positionId_createdAt_idx" ON "Fill"("positionId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Execution_signalId_subscriptionId_leg_key" ON "Execution"("signalId", "subscriptionId", "leg");

-- AddForeignKey
ALTER TABLE "Position" ADD CONSTRAINT "Position_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_positionId_fkey" FOREIGN KEY ("positionId") REFERENCES "Position"("id") ON DELETE CASCADE ON UPDATE CASCADE;
