-- CreateEnum
CREATE TYPE "MarketType" AS ENUM ('SPOT', 'LINEAR');

-- CreateEnum
CREATE TYPE "OrderType" AS ENUM ('MARKET', 'LIMIT');

-- CreateEnum
CREATE TYPE "SizingMode" AS ENUM ('FIXED_QUOTE', 'PERCENT_BALANCE', 'FIXED_BASE', 'CONTRACTS_MULTIPLIER');

-- CreateEnum
CREATE TYPE "SignalStatus" AS ENUM ('RECEIVED', 'REJECTED', 'FANNING_OUT', 'DONE');

-- CreateEnum
CREATE TYPE "ExecutionStatus" AS ENUM ('QUEUED', 'SUBMITTING', 'SUBMITTED', 'FILLED', 'PARTIALLY_FILLED', 'REJECTED', 'FAILED', 'SKIPPED');

-- CreateTable
CREATE TABLE "Strategy" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "allowedSymbols" TEXT[],
    "marketType" "MarketType" NOT NULL DEFAULT 'SPOT',
    "defaultOrderType" "OrderType" NOT NULL DEFAULT 'MARKET',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "webhookToken" TEXT NOT NULL,
    "allowedIps" TEXT[],
    "rateLimitPerMinute" INTEGER NOT NULL DEFAULT 120,
    "maxPriceDeviationPct" DECIMAL(6,2) NOT NULL DEFAULT 2,
    "cooldownSeconds" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Strategy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "credentialId" TEXT,
    "sizingMode" "SizingMode" NOT NULL DEFAULT 'FIXED_QUOTE',
    "sizingValue" DECIMAL(24,8) NOT NULL,
    "leverageCap" INTEGER,
    "maxNotional" DECIMAL(24,8),
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Signal" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "status" "SignalStatus" NOT NULL DEFAULT 'RECEIVED',
    "action" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "alert" JSONB NOT NULL,
    "decision" JSONB,
    "subscriberCount" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "sourceIp" TEXT,

    CONSTRAINT "Signal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Execution" (
    "id" TEXT NOT NULL,
    "signalId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "credentialId" TEXT,
    "exchange" "Exchange",
    "tier" "Tier" NOT NULL,
    "priority" INTEGER NOT NULL,
    "clientOrderId" TEXT NOT NULL,
    "status" "ExecutionStatus" NOT NULL DEFAULT 'QUEUED',
    "paper" BOOLEAN NOT NULL DEFAULT false,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "orderType" "OrderType" NOT NULL DEFAULT 'MARKET',
    "amount" DECIMAL(24,8),
    "price" DECIMAL(24,8),
    "exchangeOrderId" TEXT,
    "filledAmount" DECIMAL(24,8),
    "averagePrice" DECIMAL(24,8),
    "fee" DECIMAL(24,8),
    "feeCurrency" TEXT,
    "errorKind" TEXT,
    "message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" TIMESTAMP(3),
    "queuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "ackAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Execution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignalDedupe" (
    "key" TEXT NOT NULL,
    "signalId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignalDedupe_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Strategy_webhookToken_key" ON "Strategy"("webhookToken");

-- CreateIndex
CREATE INDEX "Subscription_strategyId_paused_idx" ON "Subscription"("strategyId", "paused");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_userId_strategyId_key" ON "Subscription"("userId", "strategyId");

-- CreateIndex
CREATE INDEX "Signal_strategyId_receivedAt_idx" ON "Signal"("strategyId", "receivedAt");

-- CreateIndex
CREATE INDEX "Signal_receivedAt_idx" ON "Signal"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Execution_clientOrderId_key" ON "Execution"("clientOrderId");

-- CreateIndex
CREATE INDEX "Execution_signalId_status_idx" ON "Execution"("signalId", "status");

-- CreateIndex
CREATE INDEX "Execution_status_leaseUntil_idx" ON "Execution"("status", "leaseUntil");

-- CreateIndex
CREATE INDEX "Execution_userId_queuedAt_idx" ON "Execution"("userId", "queuedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Execution_signalId_subscriptionId_key" ON "Execution"("signalId", "subscriptionId");

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_lastSeenAt_idx" ON "WorkerHeartbeat"("lastSeenAt");

-- CreateIndex
CREATE INDEX "SignalDedupe_expiresAt_idx" ON "SignalDedupe"("expiresAt");

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_strategyId_fkey" FOREIGN KEY ("strategyId") REFERENCES "Strategy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "ExchangeCredential"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signal" ADD CONSTRAINT "Signal_strategyId_fkey" FOREIGN KEY ("strategyId") REFERENCES "Strategy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Execution" ADD CONSTRAINT "Execution_signalId_fkey" FOREIGN KEY ("signalId") REFERENCES "Signal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Execution" ADD CONSTRAINT "Execution_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignalDedupe" ADD CONSTRAINT "SignalDedupe_signalId_fkey" FOREIGN KEY ("signalId") REFERENCES "Signal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
