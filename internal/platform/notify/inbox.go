package notify

import (
	"context"
	"time"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// InboxItem is one notification in a user's inbox.
type InboxItem struct {
	ID        int64      `json:"id"`
	Event     string     `json:"event"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link" doc:"relative URL inside GovOps, or empty"`
	CreatedAt time.Time  `json:"created_at"`
	Read      bool       `json:"read"`
	ReadAt    *time.Time `json:"read_at,omitempty"`

	// EventLabel is the event's display name (pages only).
	EventLabel string `json:"-"`
}

const inboxCols = "id, event, title, body, link, created_at, read_at"

func scanInbox(s db.Scanner) (InboxItem, error) {
	var it InboxItem
	var created, read int64
	err := s.Scan(&it.ID, &it.Event, &it.Title, &it.Body, &it.Link, &created, &read)
	it.CreatedAt = db.FromUnix(created)
	if read != 0 {
		t := db.FromUnix(read)
		it.ReadAt, it.Read = &t, true
	}
	return it, err
}

// Inbox lists a user's notifications, newest first (only unread ones when unreadOnly), and how many match.
func (s *Service) Inbox(ctx context.Context, q db.Q, userID int64, unreadOnly bool, offset, limit int) ([]InboxItem, int64, error) {
	where := "user_id = ?"
	if unreadOnly {
		where += " AND read_at = 0"
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM notifications WHERE "+where, userID)
	if err != nil {
		return nil, 0, err
	}
	items, err := db.Select(ctx, q, scanInbox, "SELECT "+inboxCols+" FROM notifications WHERE "+where+" ORDER BY id DESC LIMIT ? OFFSET ?",
		userID, limit, offset)
	return items, total, err
}

// UnreadCount is the number of unread notifications of a user (for the top bar badge).
func (s *Service) UnreadCount(ctx context.Context, q db.Q, userID int64) (int64, error) {
	return db.Count(ctx, q, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at = 0", userID)
}

// Get loads one of the user's notifications; anyone else's is not_found.
func (s *Service) Get(ctx context.Context, q db.Q, userID, id int64) (InboxItem, error) {
	it, err := scanInbox(q.QueryRow(ctx, "SELECT "+inboxCols+" FROM notifications WHERE id = ? AND user_id = ?", id, userID))
	if db.IsNoRows(err) {
		return InboxItem{}, errs.NotFound("消息")
	}
	return it, err
}

// MarkRead marks one of the user's notifications read (again is a no-op) and returns it; anyone else's is
// not_found. The inbox is the user's own state, so it is not audited.
func (s *Service) MarkRead(ctx context.Context, userID, id int64) (InboxItem, error) {
	now := s.Clock.Now()
	var it InboxItem
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at = 0", now.Unix(), id, userID); err != nil {
			return err
		}
		var err error
		it, err = s.Get(ctx, q, userID, id)
		return err
	})
	return it, err
}

// MarkAllRead marks every unread notification of the user read and returns how many changed.
func (s *Service) MarkAllRead(ctx context.Context, userID int64) (int64, error) {
	res, err := s.DB.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0", s.Clock.Now().Unix(), userID)
	if err != nil {
		return 0, err
	}
	return db.RowsAffected(res), nil
}
