-- DropIndex
DROP INDEX "AuditLog_action_createdAt_idx";

-- DropIndex
DROP INDEX "AuditLog_actorId_createdAt_idx";

-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "hash" TEXT,
ADD COLUMN     "prevHash" TEXT,
ADD COLUMN     "seq" BIGINT;

-- CreateIndex
CREATE UNIQUE INDEX "AuditLog_seq_key" ON "AuditLog"("seq");

-- CreateIndex
CREATE INDEX "AuditLog_actorId_id_idx" ON "AuditLog"("actorId", "id");

-- CreateIndex
CREATE INDEX "AuditLog_action_id_idx" ON "AuditLog"("action", "id");

-- CreateIndex
CREATE INDEX "AuditLog_outcome_id_idx" ON "AuditLog"("outcome", "id");

-- CreateIndex
CREATE INDEX "AuditLog_ip_id_idx" ON "AuditLog"("ip", "id");

-- CreateIndex
CREATE INDEX "AuditLog_targetId_id_idx" ON "AuditLog"("targetId", "id");


-- Tamper evidence: every row's hash covers its content and the previous row's hash.
-- quote_nullable keeps NULL and '' distinct; the separator cannot occur in quoted values.
CREATE FUNCTION audit_row_hash(prev text, r "AuditLog") RETURNS text AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    quote_nullable(prev), r.seq::text, r.id::text,
    to_char(r."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS'),
    quote_nullable(r."actorId"), quote_nullable(r."actorEmail"), quote_literal(r.action), r.outcome::text,
    quote_nullable(r."targetType"), quote_nullable(r."targetId"), quote_nullable(r.ip), quote_nullable(r."userAgent"),
    quote_nullable(r.details::text)), 'UTF8')), 'hex')
$$ LANGUAGE sql IMMUTABLE;

-- Chain existing rows in id order.
DO $$
DECLARE r "AuditLog"; prev text := NULL; n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM "AuditLog" ORDER BY id LOOP
    n := n + 1;
    r.seq := n;
    UPDATE "AuditLog" SET seq = n, "prevHash" = prev, hash = audit_row_hash(prev, r) WHERE id = r.id RETURNING hash INTO prev;
  END LOOP;
END $$;

-- The chain head is taken under a transaction-scoped advisory lock, so concurrent writers queue
-- for it and seq follows commit order (ids, drawn from a sequence earlier, may not).
CREATE FUNCTION audit_chain_insert() RETURNS trigger AS $$
DECLARE last_seq bigint; last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  SELECT seq, hash INTO last_seq, last_hash FROM "AuditLog" WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW."prevHash" := last_hash;
  NEW.hash := audit_row_hash(last_hash, NEW);
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain_insert BEFORE INSERT ON "AuditLog" FOR EACH ROW EXECUTE FUNCTION audit_chain_insert();

-- Append-only: no UPDATE, DELETE or TRUNCATE through any client.
CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditLog is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON "AuditLog" FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "AuditLog" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
