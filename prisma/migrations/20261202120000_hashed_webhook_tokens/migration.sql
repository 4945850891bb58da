-- Webhook tokens at rest (issue 12): keep only a SHA-256 of each strategy's token and its last 4
-- characters (a hint that tells URLs apart), so a read-only database leak yields no usable webhook
-- URL. Existing URLs keep working: their tokens are hashed here, the same way the app hashes the
-- token in a request's path (hex SHA-256 of the UTF-8 token).

-- AlterTable
ALTER TABLE "Strategy" ADD COLUMN     "webhookTokenHash" TEXT,
ADD COLUMN     "webhookTokenHint" TEXT;

UPDATE "Strategy"
SET "webhookTokenHash" = encode(sha256(convert_to("webhookToken", 'UTF8')), 'hex'),
    "webhookTokenHint" = right("webhookToken", 4);

ALTER TABLE "Strategy" ALTER COLUMN "webhookTokenHash" SET NOT NULL,
ALTER COLUMN "webhookTokenHint" SET NOT NULL;

-- DropIndex
DROP INDEX "Strategy_webhookToken_key";

-- AlterTable
ALTER TABLE "Strategy" DROP COLUMN "webhookToken";

-- CreateIndex
CREATE UNIQUE INDEX "Strategy_webhookTokenHash_key" ON "Strategy"("webhookTokenHash");
