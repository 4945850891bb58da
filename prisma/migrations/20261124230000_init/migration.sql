-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('PRO', 'FLEX', 'TRIAL');

-- CreateEnum
CREATE TYPE "TradingMode" AS ENUM ('PERSONAL', 'PAPER', 'OFF');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('SUCCESS', 'FAILURE', 'DENIED');

-- CreateEnum
CREATE TYPE "Exchange" AS ENUM ('BINANCE', 'BYBIT');

-- CreateEnum
CREATE TYPE "ExchangeEnvironment" AS ENUM ('LIVE', 'TESTNET', 'DEMO');

-- CreateEnum
CREATE TYPE "CredentialStatus" AS ENUM ('UNVERIFIED', 'ACTIVE', 'DISABLED', 'REJECTED');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "tier" "Tier" NOT NULL DEFAULT 'TRIAL',
    "trialEndsAt" TIMESTAMP(3),
    "tradingMode" "TradingMode" NOT NULL DEFAULT 'OFF',
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorEmail" TEXT,
    "action" TEXT NOT NULL,
    "outcome" "AuditOutcome" NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,
    "details" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExchangeCredential" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "exchange" "Exchange" NOT NULL,
    "environment" "ExchangeEnvironment" NOT NULL DEFAULT 'LIVE',
    "label" TEXT,
    "apiKey" TEXT NOT NULL,
    "secretKind" TEXT NOT NULL DEFAULT 'HMAC',
    "sealedSecret" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "status" "CredentialStatus" NOT NULL DEFAULT 'UNVERIFIED',
    "canRead" BOOLEAN NOT NULL DEFAULT false,
    "canTrade" BOOLEAN NOT NULL DEFAULT false,
    "canFutures" BOOLEAN NOT NULL DEFAULT false,
    "canWithdraw" BOOLEAN NOT NULL DEFAULT false,
    "ipRestricted" BOOLEAN NOT NULL DEFAULT false,
    "lastVerifiedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExchangeCredential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_actorId_createdAt_idx" ON "AuditLog"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_action_createdAt_idx" ON "AuditLog"("action", "createdAt");

-- CreateIndex
CREATE INDEX "ExchangeCredential_userId_idx" ON "ExchangeCredential"("userId");

-- CreateIndex
CREATE INDEX "ExchangeCredential_status_idx" ON "ExchangeCredential"("status");

-- CreateIndex
CREATE INDEX "ExchangeCredential_keyId_idx" ON "ExchangeCredential"("keyId");

-- CreateIndex
CREATE UNIQUE INDEX "ExchangeCredential_userId_exchange_environment_key" ON "ExchangeCredential"("userId", "exchange", "environment");

-- AddForeignKey
ALTER TABLE "ExchangeCredential" ADD CONSTRAINT "ExchangeCredential_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

