-- The kind of a key's last error, so the Keys card can link it to its troubleshooting entry.
ALTER TABLE "ExchangeCredential" ADD COLUMN "lastErrorKind" TEXT;
