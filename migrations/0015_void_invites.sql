-- 0015: revoking someone voids the invitations they made, so a revoked
-- manager cannot let herself (or a friend) back in with a link she made
-- before. voided_at is business time, written from the injected clock.
ALTER TABLE invites ADD COLUMN voided_at timestamptz;

-- Unused invitations of people revoked before this migration are void
-- since their revocation.
UPDATE invites i SET voided_at = s.revoked_at
  FROM staff s
 WHERE i.created_by = s.id AND s.revoked_at IS NOT NULL AND i.used_at IS NULL;
