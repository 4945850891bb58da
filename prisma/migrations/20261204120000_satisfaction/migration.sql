-- The satisfaction prompt (#18): one row per answer or dismissal.
-- CreateTable
CREATE TABLE "SatisfactionResponse" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "score" INTEGER,
    "comment" TEXT,
    "dismissed" BOOLEAN NOT NULL DEFAULT false,
    "tier" "Tier" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SatisfactionResponse_pkey" PRIMARY KEY ("id"),
    -- The module validates these too; the database refuses a row that slipped past it.
    CONSTRAINT "SatisfactionResponse_score_range" CHECK ("score" IS NULL OR ("score" >= 0 AND "score" <= 10)),
    CONSTRAINT "SatisfactionResponse_comment_length" CHECK ("comment" IS NULL OR char_length("comment") <= 1000),
    CONSTRAINT "SatisfactionResponse_answer_or_dismissal" CHECK (("dismissed" AND "score" IS NULL AND "comment" IS NULL) OR (NOT "dismissed" AND "score" IS NOT NULL))
);

-- CreateIndex
CREATE INDEX "SatisfactionResponse_userId_createdAt_idx" ON "SatisfactionResponse"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "SatisfactionResponse_createdAt_idx" ON "SatisfactionResponse"("createdAt");

-- AddForeignKey
ALTER TABLE "SatisfactionResponse" ADD CONSTRAINT "SatisfactionResponse_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
