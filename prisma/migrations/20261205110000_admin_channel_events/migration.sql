-- Admins' account-email channels created before an admin-only event existed never got it by
-- default (new admins do): add "a user asked for live trading" to every admin's account email, and
-- the halt / resume events where the channel has neither (it was made before halts existed).
UPDATE "NotificationChannel" c
   SET events = c.events || ARRAY['TRADING_HALTED', 'TRADING_RESUMED']
  FROM "User" u
 WHERE u.id = c."userId" AND u.role = 'ADMIN' AND c.type = 'EMAIL' AND c.target = 'account'
   AND NOT (c.events && ARRAY['TRADING_HALTED', 'TRADING_RESUMED']);

UPDATE "NotificationChannel" c
   SET events = c.events || ARRAY['LIVE_ACCESS_REQUESTED']
  FROM "User" u
 WHERE u.id = c."userId" AND u.role = 'ADMIN' AND c.type = 'EMAIL' AND c.target = 'account'
   AND NOT ('LIVE_ACCESS_REQUESTED' = ANY (c.events));
