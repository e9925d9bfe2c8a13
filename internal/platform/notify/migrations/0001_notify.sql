-- The in-app inbox: one row per recipient. read_at = 0 while unread.
CREATE TABLE notifications (
	id {{ID}},
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	read_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at, id);
CREATE INDEX notifications_created ON notifications (created_at);

-- Outgoing webhooks (SMS gateways, DingTalk and WeCom robots, anything that takes JSON). events holds the
-- subscribed event codes separated by spaces: exact codes, prefixes ending in ".*", or "*" for every event.
CREATE TABLE webhooks (
	id {{ID}},
	name TEXT NOT NULL UNIQUE,
	url TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('generic', 'dingtalk', 'wecom')),
	events TEXT NOT NULL,
	secret TEXT NOT NULL DEFAULT '',
	enabled BOOLEAN NOT NULL DEFAULT TRUE,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- The outbox: one row per (notification, subscribed webhook), written in the business transaction and sent later
-- by the delivery job. message is the neutral JSON message; the webhook's kind shapes it at send time.
CREATE TABLE webhook_deliveries (
	id {{ID}},
	webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	message TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
	next_attempt_at BIGINT NOT NULL,
	claimed_until BIGINT NOT NULL DEFAULT 0,
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	delivered_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
