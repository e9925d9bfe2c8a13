package energy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// An uploaded import workbook survives the trial run: the page keeps it server-side under a random token bound to
// the user and the session (a hash of the session's CSRF token), valid for ImportFileTTL, so 确认导入 needs no
// second upload. It lives in the database, so any replica can take the confirmation.

// ImportFileTTL is how long a kept workbook waits for its confirmation.
const ImportFileTTL = time.Hour

// KeptFile is a kept workbook.
type KeptFile struct {
	Token    string
	Filename string
	Data     []byte
	Expires  time.Time
}

func sessionHash(csrf string) string {
	h := sha256.Sum256([]byte("energy-import:" + csrf))
	return hex.EncodeToString(h[:])
}

// keepImportFile stores a workbook for the user and session and sweeps expired ones.
func keepImportFile(ctx context.Context, q db.Q, now time.Time, userID int64, csrf, filename string, data []byte) (KeptFile, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return KeptFile{}, err
	}
	k := KeptFile{Token: hex.EncodeToString(b), Filename: filename, Data: data, Expires: now.Add(ImportFileTTL)}
	if _, err := q.Exec(ctx, "DELETE FROM energy_import_files WHERE expires_at < ?", now.Unix()); err != nil {
		return KeptFile{}, err
	}
	_, err := q.Exec(ctx, `INSERT INTO energy_import_files (token, user_id, session_hash, filename, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.Token, userID, sessionHash(csrf), filename, data, now.Unix(), k.Expires.Unix())
	return k, err
}

// keptImportFile returns the workbook kept under token for this user and session; another user's or session's
// token, or an expired one, is a 422 on the file field (upload it again).
func keptImportFile(ctx context.Context, q db.Q, now time.Time, userID int64, csrf, token string) (KeptFile, error) {
	k := KeptFile{Token: token}
	var exp int64
	err := q.QueryRow(ctx, "SELECT filename, data, expires_at FROM energy_import_files WHERE token = ? AND user_id = ? AND session_hash = ?",
		token, userID, sessionHash(csrf)).Scan(&k.Filename, &k.Data, &exp)
	if db.IsNoRows(err) || (err == nil && exp < now.Unix()) {
		return k, errs.Invalid("file", "保留的文件已过期或不属于当前会话，请重新选择文件")
	}
	k.Expires = time.Unix(exp, 0)
	return k, err
}

// dropImportFile removes a kept workbook once it has been imported.
func dropImportFile(ctx context.Context, q db.Q, token string) error {
	_, err := q.Exec(ctx, "DELETE FROM energy_import_files WHERE token = ?", token)
	return err
}
