-- Live-trading cohorts (#18): who may switch to PERSONAL, the beta list, access requests.
-- CreateEnum
CREATE TYPE "LiveAccessRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'REFUSED');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "liveAccess" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "LiveCohort" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "everyone" BOOLEAN NOT NULL DEFAULT true,
    "tiers" "Tier"[],
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" TEXT,

    CONSTRAINT "LiveCohort_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiveAccessRequest" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "message" TEXT,
    "status" "LiveAccessRequestStatus" NOT NULL DEFAULT 'PENDING',
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LiveAccessRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LiveAccessRequest_status_createdAt_idx" ON "LiveAccessRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "LiveAccessRequest_userId_createdAt_idx" ON "LiveAccessRequest"("userId", "createdAt");

-- AddForeignKey
ALTER TABLE "LiveAccessRequest" ADD CONSTRAINT "LiveAccessRequest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- One settings row; open to everyone, so an existing install keeps trading as before.
ALTER TABLE "LiveCohort" ADD CONSTRAINT "LiveCohort_singleton" CHECK ("id" = 1);
INSERT INTO "LiveCohort" ("id", "everyone", "tiers", "updatedAt") VALUES (1, true, ARRAY[]::"Tier"[], CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING;

-- At most one open request per user: two clicks at once cannot both be stored.
CREATE UNIQUE INDEX "LiveAccessRequest_one_pending_per_user" ON "LiveAccessRequest" ("userId") WHERE "status" = 'PENDING';
