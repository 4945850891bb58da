-- Operator trading halts (#18): platform-wide, per exchange, per strategy.
-- CreateEnum
CREATE TYPE "HaltScope" AS ENUM ('ALL', 'EXCHANGE', 'STRATEGY');

-- CreateTable
CREATE TABLE "TradingHalt" (
    "id" TEXT NOT NULL,
    "scope" "HaltScope" NOT NULL,
    "exchange" "Exchange",
    "strategyId" TEXT,
    "reason" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedAt" TIMESTAMP(3),
    "liftedById" TEXT,
    "liftReason" TEXT,

    CONSTRAINT "TradingHalt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TradingHalt_liftedAt_idx" ON "TradingHalt"("liftedAt");

-- AddForeignKey
ALTER TABLE "TradingHalt" ADD CONSTRAINT "TradingHalt_strategyId_fkey" FOREIGN KEY ("strategyId") REFERENCES "Strategy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TradingHalt" ADD CONSTRAINT "TradingHalt_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TradingHalt" ADD CONSTRAINT "TradingHalt_liftedById_fkey" FOREIGN KEY ("liftedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

