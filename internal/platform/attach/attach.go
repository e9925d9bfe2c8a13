// Package attach stores attachments (local directory by default) with size and type limits, and serves each only
// to users who may see the record that owns it.
//
// A module registers an owner type (through its manifest, see internal/platform/module) with the permissions that
// guard it — the owning record's read permission for lists and downloads, its write permission for uploads and
// deletions — and two checks on the record itself that use the caller's scope (auth.ScopeFrom(ctx)) and answer
// errs not_found / forbidden:
//
//	store.Register(attach.Owner{Type: "print_job", SeePerm: "service:read", EditPerm: "service:manage",
//		CanSee:  func(ctx context.Context, q db.Q, id int64) error { _, err := GetPrintJob(ctx, q, auth.ScopeFrom(ctx), id); return err },
//		CanEdit: func(ctx context.Context, q db.Q, id int64) error { return CanEditPrintJob(ctx, q, auth.ScopeFrom(ctx), id) }})
//
// The kit checks the permission first, as on every route, so scope alone never authorises: a user without the
// owner's read permission gets 403 for every attachment of that type, one without its write permission changes none
// (403), whatever their data scope; a user with the permission gets 404 for a record outside their scope.
//
// Files are stored under Dir content-addressed by SHA-256 (Dir/ab/cdef…), written to a temporary file, synced and
// renamed before the metadata row is inserted, so a committed row always has a durable file; files left behind by
// rolled-back uploads or deleted attachments are harmless and the sweep job removes them. The type of a file is
// decided by its extension and confirmed by its content (http.DetectContentType, the OLE2 signature of .doc/.xls,
// the parts of an .xlsx/.docx zip); HTML is never accepted and downloads are always attachments with nosniff.
//
// Routes: GET /attachments/{id} downloads; POST /attachments and POST /attachments/{id}/delete serve browser
// forms; /api/v1/attachments lists, uploads (multipart: object_type, object_id, file) and deletes. Every upload,
// deletion and download (a sensitive read) is audited.
//
// To show a record's attachments on a module's page, put Store.Panel's result (a *Panel, nil when there is none)
// in the page data and include the web kit's partial: {{template "attachments" .Attachments}}.
package attach

import (
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the attachment table.
var Migrations = db.Embedded("attach", migrationsFS)

func init() {
	audit.RegisterActions(map[string]string{"attach.upload": "上传附件", "attach.delete": "删除附件", "attach.download": "下载附件"},
		map[string]string{"attachment": "附件"})
}

// DefaultMaxBytes is the size limit of an attachment unless the owner type sets its own.
const DefaultMaxBytes = 20 << 20

// Check decides whether the caller in ctx may see (or change the attachments of) the record objectID. It returns
// nil, or an errs not_found / forbidden error (any other error is treated as a failure of the check itself).
type Check func(ctx context.Context, q db.Q, objectID int64) error

// Owner is a kind of record that has attachments.
type Owner struct {
	// Type is the object type stored with each attachment ("print_job"): lower-case letters, digits, '_' and '.'.
	Type string
	// SeePerm is the permission that lists and downloads need (the owning record's read permission); EditPerm the
	// one that uploads and deletions need. The kit checks them before CanSee and CanEdit.
	SeePerm, EditPerm string
	// CanSee decides whether the caller may see the record (scope); CanEdit whether they may change its files
	// (scope, the record's status).
	CanSee, CanEdit Check
	// MaxBytes limits one file (0: the store's MaxBytes, 20 MB by default).
	MaxBytes int64
	// Exts narrows the allowed extensions (".pdf", ".docx", …); empty allows every extension of AllowedExts.
	Exts []string
}

// Attachment is one stored file.
type Attachment struct {
	ID          int64     `json:"id"`
	ObjectType  string    `json:"object_type"`
	ObjectID    int64     `json:"object_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	SHA256      string    `json:"sha256"`
	UploaderID  int64     `json:"uploader_id,omitempty"`
	Uploader    string    `json:"uploader"`
	CreatedAt   time.Time `json:"created_at"`
	URL         string    `json:"url" doc:"download address (GET, needs the same rights as the owning record)"`
}

// SizeText renders the size for people ("856 KB", "1.2 MB").
func (a Attachment) SizeText() string { return sizeText(a.SizeBytes) }

func sizeText(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+512)/1024, 10) + " KB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	}
}

// Store is the attachment kit instance.
type Store struct {
	DB    *db.DB
	Clock clock.Clock
	UI    *web.UI
	Dir   string

	// MaxBytes is the default size limit of one file (DefaultMaxBytes).
	MaxBytes int64
	// SweepAfter is how long an unreferenced file must have been untouched before the sweep removes it (1 h), so a
	// file just written for an upload whose row is not yet committed is never taken.
	SweepAfter time.Duration

	mu     sync.RWMutex
	owners map[string]Owner
}

// New makes the store under dir (created on first upload).
func New(d *db.DB, clk clock.Clock, ui *web.UI, dir string) *Store {
	return &Store{DB: d, Clock: clk, UI: ui, Dir: dir, MaxBytes: DefaultMaxBytes, SweepAfter: time.Hour, owners: map[string]Owner{}}
}

var typeRe = regexp.MustCompile(`^[a-z][a-z0-9_.]{1,39}$`)

// Register adds an owner type. It panics on a programming error (bad or duplicate type, missing checks, unknown
// extension).
func (s *Store) Register(o Owner) {
	if !typeRe.MatchString(o.Type) || o.CanSee == nil || o.CanEdit == nil || o.SeePerm == "" || o.EditPerm == "" {
		panic("attach: owner " + strconv.Quote(o.Type) + " needs a valid type, both permissions and both checks")
	}
	for _, e := range o.Exts {
		if _, ok := fileTypes[e]; !ok {
			panic("attach: owner " + o.Type + ": extension " + e + " is not allowed")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.owners[o.Type]; dup {
		panic("attach: owner " + o.Type + " registered twice")
	}
	s.owners[o.Type] = o
}

// see decides whether the caller in ctx may see the record's attachments: the owner's read permission (forbidden),
// then CanSee (not_found outside the caller's scope).
func (o Owner) see(ctx context.Context, q db.Q, id int64) error {
	if err := hold(ctx, o.SeePerm); err != nil {
		return err
	}
	return o.CanSee(ctx, q, id)
}

// edit decides whether the caller in ctx may add or remove the record's attachments: both permissions first
// (forbidden, as on every route: a permission is checked before the scope), then CanSee (a record out of scope stays
// not_found) and CanEdit (the record's state).
func (o Owner) edit(ctx context.Context, q db.Q, id int64) error {
	if err := hold(ctx, o.SeePerm); err != nil {
		return err
	}
	if err := hold(ctx, o.EditPerm); err != nil {
		return err
	}
	if err := o.CanSee(ctx, q, id); err != nil {
		return err
	}
	return o.CanEdit(ctx, q, id)
}

// hold answers forbidden unless the signed-in user holds perm.
func hold(ctx context.Context, perm string) error {
	p := web.PrincipalFrom(ctx)
	if p == nil {
		return errs.New(errs.CodeUnauthenticated, "请先登录")
	}
	if !p.Can(perm) {
		return errs.Forbidden("没有该记录附件的权限")
	}
	return nil
}

func (s *Store) owner(objectType string) (Owner, error) {
	s.mu.RLock()
	o, ok := s.owners[objectType]
	s.mu.RUnlock()
	if !ok {
		return Owner{}, errs.Invalid("object_type", "未知的附件归属类型")
	}
	return o, nil
}

func (s *Store) maxBytes(o Owner) int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultMaxBytes
}

// largest is the biggest limit of any owner: the bound of an upload request body.
func (s *Store) largest() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.maxBytes(Owner{})
	for _, o := range s.owners {
		m = max(m, s.maxBytes(o))
	}
	return m
}

const cols = "id, object_type, object_id, filename, content_type, size_bytes, sha256, uploader_id, uploader, created_at"

func scan(sc db.Scanner) (Attachment, error) {
	var a Attachment
	var uploader *int64
	var created int64
	err := sc.Scan(&a.ID, &a.ObjectType, &a.ObjectID, &a.Filename, &a.ContentType, &a.SizeBytes, &a.SHA256, &uploader, &a.Uploader, &created)
	if uploader != nil {
		a.UploaderID = *uploader
	}
	a.CreatedAt = db.FromUnix(created)
	a.URL = "/attachments/" + strconv.FormatInt(a.ID, 10)
	return a, err
}

// Save stores a file for a record: the content is checked (type, size), written durably, then the row is inserted
// and the upload audited in q's transaction. The caller has already decided that the user may attach files to the
// record (the HTTP routes call the owner's CanEdit). Errors: validation (object_type, object_id, file) and
// too_large, both naming field "file" when the file is at fault.
func (s *Store) Save(ctx context.Context, q db.Q, objectType string, objectID int64, filename string, r io.Reader) (Attachment, error) {
	o, err := s.owner(objectType)
	if err != nil {
		return Attachment{}, err
	}
	if objectID <= 0 {
		return Attachment{}, errs.Invalid("object_id", "请指定附件所属记录")
	}
	st, err := s.stage(o, filename, r)
	if err != nil {
		return Attachment{}, err
	}
	return s.insert(ctx, q, o.Type, objectID, st)
}

// insert records a staged file (its content is already durable) and audits the upload.
func (s *Store) insert(ctx context.Context, q db.Q, objectType string, objectID int64, st staged) (Attachment, error) {
	now := s.Clock.Now()
	actor := audit.ActorFrom(ctx)
	var out Attachment
	err := q.Tx(ctx, func(q db.Q) error {
		id, err := db.InsertID(ctx, q, `INSERT INTO attachments (object_type, object_id, filename, content_type, size_bytes, sha256, uploader_id, uploader, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, objectType, objectID, st.name, st.contentType, st.size, st.sum,
			db.NullInt(actor.UserID), actor.Username, now.Unix())
		if err != nil {
			return fmt.Errorf("attachment row: %w", err)
		}
		if out, err = s.Get(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "attach.upload", ObjectType: "attachment", ObjectID: id, Success: true, After: snapshot(out)})
	})
	return out, err
}

func snapshot(a Attachment) map[string]any {
	return map[string]any{"object_type": a.ObjectType, "object_id": a.ObjectID, "filename": a.Filename, "content_type": a.ContentType,
		"size_bytes": a.SizeBytes, "sha256": a.SHA256}
}

// Get loads one attachment's metadata (no access check: see the owner's CanSee).
func (s *Store) Get(ctx context.Context, q db.Q, id int64) (Attachment, error) {
	a, err := scan(q.QueryRow(ctx, "SELECT "+cols+" FROM attachments WHERE id = ?", id))
	if db.IsNoRows(err) {
		return Attachment{}, errs.NotFound("附件")
	}
	return a, err
}

// List returns a record's attachments in upload order (no access check: see the owner's CanSee).
func (s *Store) List(ctx context.Context, q db.Q, objectType string, objectID int64) ([]Attachment, error) {
	return db.Select(ctx, q, scan, "SELECT "+cols+" FROM attachments WHERE object_type = ? AND object_id = ? ORDER BY id", objectType, objectID)
}

// Delete removes an attachment (audited with what it was). The file stays until the sweep finds it unreferenced.
func (s *Store) Delete(ctx context.Context, q db.Q, id int64) error {
	now := s.Clock.Now()
	return q.Tx(ctx, func(q db.Q) error {
		a, err := s.Get(ctx, q, id)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM attachments WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "attach.delete", ObjectType: "attachment", ObjectID: id, Success: true, Before: snapshot(a)})
	})
}

// DeleteAll removes every attachment of a record (when a module deletes the record) and returns how many.
func (s *Store) DeleteAll(ctx context.Context, q db.Q, objectType string, objectID int64) (int, error) {
	list, err := s.List(ctx, q, objectType, objectID)
	if err != nil {
		return 0, err
	}
	for _, a := range list {
		if err := s.Delete(ctx, q, a.ID); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// Open opens an attachment's content for reading (modules that process files, e.g. printing).
func (s *Store) Open(a Attachment) (*os.File, error) {
	f, err := os.Open(s.path(a.SHA256))
	if os.IsNotExist(err) {
		return nil, errs.NotFound("附件文件")
	}
	return f, err
}

func (s *Store) path(sum string) string { return filepath.Join(s.Dir, sum[:2], sum[2:]) }
