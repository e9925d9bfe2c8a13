CREATE TABLE object_history (
	id {{ID}},
	object_type TEXT NOT NULL,
	object_id BIGINT NOT NULL,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX object_history_object ON object_history (object_type, object_id, id);
