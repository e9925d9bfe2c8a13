-- Attachment metadata. The content lives on disk, content-addressed by SHA-256 (dir/ab/cdef…), so identical
-- files share one copy; a file is written and synced before its row commits, and files no row refers to are
-- swept later. object_type/object_id name the owning record of a module (e.g. 'print_job', 42).
CREATE TABLE attachments (
	id {{ID}},
	object_type TEXT NOT NULL,
	object_id BIGINT NOT NULL,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
	uploader_id BIGINT,
	uploader TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX attachments_object ON attachments (object_type, object_id, id);
CREATE INDEX attachments_sha ON attachments (sha256);
