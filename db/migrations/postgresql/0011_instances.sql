-- Several instances on one database. A claimed delivery names the instance sending it and
-- until when its claim holds: a live instance renews it while its sends run; one that died
-- leaves rows whose lease runs out, and those go back to the queue (a row whose outcome was
-- written is no longer 'sending', so it is never sent again).
ALTER TABLE deliveries ADD COLUMN claimed_by text;
ALTER TABLE deliveries ADD COLUMN lease_until double precision;

-- A new alert sender reads who got a message in the last minute, to keep each chat's pace.
CREATE INDEX deliveries_by_sent ON deliveries (sent_at) WHERE sent_at IS NOT NULL;

-- What every instance must know of Telegram's budget: until when Telegram asked the whole
-- bot to wait (a 429 one instance saw slows all), and how many replies the instances that
-- do not send alerts have sent since the sender last looked (it leaves them room).
CREATE TABLE send_pace (
    id           integer PRIMARY KEY CHECK (id = 1),
    paused_until double precision NOT NULL DEFAULT 0,
    borrowed     bigint NOT NULL DEFAULT 0
);
INSERT INTO send_pace (id) VALUES (1);
