// Package settings stores the runtime-editable settings of the platform (security policy, working hours,
// notification gateways) as JSON documents under stable keys, with defaults supplied by their owners.
package settings

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/db"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the settings table.
var Migrations = db.Embedded("settings", migrationsFS)

// Get loads key into v; when the key was never saved v keeps its defaults and found is false.
func Get(ctx context.Context, q db.Q, key string, v any) (found bool, err error) {
	var raw string
	err = q.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&raw)
	if db.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("setting %s: %w", key, err)
	}
	return true, nil
}

// Put saves v under key.
func Put(ctx context.Context, q db.Q, key string, v any, now time.Time, by string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		key, string(b), now.Unix(), by)
	return err
}
