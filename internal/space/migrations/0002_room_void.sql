-- Rooms entered by mistake are voided (作废): kept, with the reason, as disposed rooms that never were (issue 14 item 3).
ALTER TABLE space_rooms ADD COLUMN voided_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE space_rooms ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
