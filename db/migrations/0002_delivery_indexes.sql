-- The worker asks when the next pending delivery falls due; with priority first in
-- deliveries_due that meant reading every pending row. This answers it from one end.
CREATE INDEX deliveries_pending_by_time ON deliveries (next_attempt_at) WHERE status = 'pending';

-- /stats reads the last 24 hours of deliveries.
CREATE INDEX deliveries_by_created ON deliveries (created_at);
