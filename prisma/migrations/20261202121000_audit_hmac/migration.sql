-- CreateTable
CREATE TABLE "AuditSeal" (
    "seq" BIGINT NOT NULL,
    "keyId" TEXT NOT NULL,
    "mac" TEXT NOT NULL,

    CONSTRAINT "AuditSeal_pkey" PRIMARY KEY ("seq")
);

-- Keyed seals: each AuditLog row gets, in the same transaction, an HMAC of its seq and chain hash made
-- by the app with AUDIT_HMAC_KEY. The database holds no key, so an owner who edits a row and recomputes
-- the SHA-256 chain cannot make matching seals (audit:verify checks both). Rows written before this
-- migration stay unsealed and are checked by the plain chain only.

-- The append-only guard names the table it protects.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER audit_seal_no_update_delete BEFORE UPDATE OR DELETE ON "AuditSeal" FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON "AuditSeal" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
