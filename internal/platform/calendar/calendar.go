// Package calendar is the official working calendar: statutory holidays and adjusted working days from the State
// Council arrangements (holiday-cn data, embedded), with working day and working time queries. (Skeleton.)
package calendar

import (
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// Calendar answers working-day questions.
type Calendar struct {
	DB *db.DB
	UI *web.UI
}

// New loads the embedded holiday data.
func New(d *db.DB, ui *web.UI) (*Calendar, error) { return &Calendar{DB: d, UI: ui}, nil }

// Routes registers the calendar page and API.
func (c *Calendar) Routes() {}
