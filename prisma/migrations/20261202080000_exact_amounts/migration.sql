-- Money is exact: 18 decimal places (wei-sized steps, sub-satoshi prices and fees), 18 digits before the point.
-- numeric(24,8) silently rounded a 0.000001234 price to 0.00000123.
ALTER TABLE "Subscription" ALTER COLUMN "sizingValue" SET DATA TYPE DECIMAL(36,18),
ALTER COLUMN "maxNotional" SET DATA TYPE DECIMAL(36,18);

ALTER TABLE "Execution" ALTER COLUMN "amount" SET DATA TYPE DECIMAL(36,18),
ALTER COLUMN "price" SET DATA TYPE DECIMAL(36,18),
ALTER COLUMN "filledAmount" SET DATA TYPE DECIMAL(36,18),
ALTER COLUMN "averagePrice" SET DATA TYPE DECIMAL(36,18),
ALTER COLUMN "fee" SET DATA TYPE DECIMAL(36,18);
