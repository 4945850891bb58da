-- The error catalogue code of a refused webhook call (its help link).
ALTER TABLE "WebhookDelivery" ADD COLUMN "reasonCode" TEXT;
