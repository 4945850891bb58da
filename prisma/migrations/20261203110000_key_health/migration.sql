-- AlterTable
ALTER TABLE "ExchangeCredential" ADD COLUMN     "balance" DECIMAL(36,18),
ADD COLUMN     "balanceAt" TIMESTAMP(3),
ADD COLUMN     "balanceCurrency" TEXT,
ADD COLUMN     "boundIps" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "expiryWarnings" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "permissionsReadAt" TIMESTAMP(3);
