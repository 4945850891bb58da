-- Strategy management and the webhook delivery log (#16).
-- AlterTable
ALTER TABLE "Signal" ADD COLUMN     "test" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Strategy" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "description" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT,
    "signalId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answeredMs" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "accepted" BOOLEAN NOT NULL,
    "reason" TEXT,
    "format" TEXT,
    "body" TEXT NOT NULL,
    "bodyBytes" INTEGER NOT NULL,
    "bodyTruncated" BOOLEAN NOT NULL DEFAULT false,
    "sourceIp" TEXT,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "count" INTEGER NOT NULL DEFAULT 1,
    "bucket" TEXT,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_bucket_key" ON "WebhookDelivery"("bucket");

-- CreateIndex
CREATE INDEX "WebhookDelivery_strategyId_receivedAt_idx" ON "WebhookDelivery"("strategyId", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_sourceIp_receivedAt_idx" ON "WebhookDelivery"("sourceIp", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_strategyId_fkey" FOREIGN KEY ("strategyId") REFERENCES "Strategy"("id") ON DELETE SET NULL ON UPDATE CASCADE;
