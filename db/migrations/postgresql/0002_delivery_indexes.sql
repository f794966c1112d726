-- The SQLite 0002, in PostgreSQL: when the next pending delivery falls due, and /stats's
-- last 24 hours.
CREATE INDEX deliveries_pending_by_time ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_created ON deliveries (created_at);
