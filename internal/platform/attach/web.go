package attach

import (
	"context"
	_ "embed"
	"errors"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed i18n/en.json
var catalogEN []byte

// Panel is what a module's page needs to show a record's attachments with the snippet of the package
// documentation.
type Panel struct {
	ObjectType string
	ObjectID   int64
	Items      []Attachment
	CanEdit    bool
	Accept     string // for <input type=file accept=…>
	MaxMB      int64
	CSRF       string
	Next       string // where the upload and delete forms return to: the current page
}

// Panel loads a record's attachments for a page, checking the owner's CanSee (its error is returned) and asking
// CanEdit whether to offer upload and delete.
func (s *Store) Panel(r *http.Request, objectType string, objectID int64) (Panel, error) {
	o, err := s.owner(objectType)
	if err != nil {
		return Panel{}, err
	}
	ctx := r.Context()
	if err := o.see(ctx, s.DB, objectID); err != nil {
		return Panel{}, err
	}
	items, err := s.List(ctx, s.DB, objectType, objectID)
	if err != nil {
		return Panel{}, err
	}
	p := Panel{ObjectType: objectType, ObjectID: objectID, Items: items, Accept: strings.Join(s.exts(o), ","),
		MaxMB: (s.maxBytes(o) + (1 << 20) - 1) >> 20, CSRF: web.CSRFFrom(ctx), Next: r.URL.RequestURI()}
	if err := o.edit(ctx, s.DB, objectID); err == nil {
		p.CanEdit = true
	} else if !denied(err) {
		return Panel{}, err
	}
	return p, nil
}

// PagePanel is Panel for a page that shows attachments beside other content: nil when the store is nil (a
// program without attachments) or the caller may not see them; a failure of the check is logged, not shown.
func (s *Store) PagePanel(r *http.Request, objectType string, objectID int64) *Panel {
	if s == nil {
		return nil
	}
	p, err := s.Panel(r, objectType, objectID)
	if err != nil {
		if !denied(err) {
			s.log().Error("attachments panel", "object_type", objectType, "object_id", objectID, "err", err)
		}
		return nil
	}
	return &p
}

func (s *Store) log() *slog.Logger {
	if s.UI != nil && s.UI.Log != nil {
		return s.UI.Log
	}
	return slog.Default()
}

// denied reports an access answer (as opposed to a failure of the check).
func denied(err error) bool {
	switch errs.CodeOf(err) {
	case errs.CodeNotFound, errs.CodeForbidden, errs.CodeValidation, errs.CodeConflict, errs.CodeUnauthenticated:
		return true
	}
	return false
}

// Routes registers the download and upload API and the browser forms.
func (s *Store) Routes() {
	u := s.UI
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.Page("GET /attachments/{id}", web.SignedIn, s.download)
	u.API("GET /api/v1/attachments/{id}/content", web.SignedIn, web.Doc{Summary: "下载附件内容（需有权查看所属记录）", Binary: "application/octet-stream"}, s.download)
	u.API("GET /api/v1/attachments/{id}", web.SignedIn, web.Doc{Summary: "附件信息（需有权查看所属记录）", Response: Attachment{}},
		func(w http.ResponseWriter, r *http.Request) error {
			a, _, err := s.visible(r)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, a)
		})
	u.API("GET /api/v1/attachments", web.SignedIn, web.Doc{Summary: "记录的附件列表（需有权查看该记录）", Response: Attachment{}, List: true,
		Query: []web.Param{{Name: "object_type", Help: "所属记录类型", Required: true}, {Name: "object_id", Type: "integer", Help: "所属记录 id", Required: true}}},
		func(w http.ResponseWriter, r *http.Request) error {
			o, id, err := s.target(r.URL.Query().Get("object_type"), r.URL.Query().Get("object_id"))
			if err != nil {
				return err
			}
			if err := hold(r.Context(), o.SeePerm); err != nil {
				return err
			}
			if err := o.CanSee(r.Context(), s.DB, id); err != nil {
				return hide(err)
			}
			items, err := s.List(r.Context(), s.DB, o.Type, id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("POST /api/v1/attachments", web.SignedIn, web.Doc{Summary: "上传附件：multipart/form-data，字段 object_type、object_id、file（需有权修改所属记录）",
		Response: Attachment{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			a, err := s.upload(w, r)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, a)
		})
	u.API("DELETE /api/v1/attachments/{id}", web.SignedIn, web.Doc{Summary: "删除附件（需有权修改所属记录）", Status: http.StatusNoContent},
		func(w http.ResponseWriter, r *http.Request) error {
			if err := s.remove(r); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	u.Page("POST /attachments", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.upload(w, r)
		return s.formDone(w, r, err, "已上传附件“"+a.Filename+"”")
	})
	u.Page("POST /attachments/{id}/delete", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		return s.formDone(w, r, s.remove(r), "已删除附件")
	})
}

// formDone answers a browser form: back to the page it came from, with the outcome as a flash message.
func (s *Store) formDone(w http.ResponseWriter, r *http.Request, err error, ok string) error {
	next := safeNext(r.FormValue("next"))
	if err != nil {
		if errs.CodeOf(err) == errs.CodeInternal {
			return err
		}
		s.UI.SetFlash(w, "error", errs.As(err).Message)
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.UI.Redirect(w, r, next, ok)
}

func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// hide turns a refusal into not_found, so records outside the caller's scope look as if they did not exist.
func hide(err error) error {
	if errs.Is(err, errs.CodeForbidden) || errs.Is(err, errs.CodeNotFound) {
		return errs.NotFound("附件")
	}
	return err
}

func (s *Store) target(objectType, objectID string) (Owner, int64, error) {
	f := errs.Fields{}
	o, err := s.owner(objectType)
	if err != nil {
		f.Add("object_type", "未知的附件归属类型")
	}
	id, perr := strconv.ParseInt(strings.TrimSpace(objectID), 10, 64)
	if perr != nil || id <= 0 {
		f.Add("object_id", "请指定附件所属记录")
	}
	return o, id, f.Err()
}

// visible loads the attachment of path {id} when the caller may see its record: forbidden without the owner's read
// permission, not_found outside the caller's scope (or when there is no such attachment).
func (s *Store) visible(r *http.Request) (Attachment, Owner, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Attachment{}, Owner{}, errs.NotFound("附件")
	}
	a, err := s.Get(r.Context(), s.DB, id)
	if err != nil {
		return Attachment{}, Owner{}, err
	}
	o, err := s.owner(a.ObjectType)
	if err != nil {
		return Attachment{}, Owner{}, errs.NotFound("附件")
	}
	if err := hold(r.Context(), o.SeePerm); err != nil {
		return a, o, err
	}
	if err := o.CanSee(r.Context(), s.DB, a.ObjectID); err != nil {
		return a, o, hide(err)
	}
	return a, o, nil
}

// download serves a file to a user who may see its record: always as an attachment, never sniffed, never run as
// a page. The download is audited; so is a refused one.
func (s *Store) download(w http.ResponseWriter, r *http.Request) error {
	a, _, err := s.visible(r)
	if err != nil {
		if a.ID != 0 && errs.Is(err, errs.CodeNotFound) {
			s.auditRead(r.Context(), a, false)
		}
		return err
	}
	f, err := s.Open(a)
	if err != nil {
		if errs.Is(err, errs.CodeNotFound) {
			s.log().Error("attachment file missing", "id", a.ID, "sha256", a.SHA256)
		}
		return err
	}
	defer f.Close()
	if err := s.auditRead(r.Context(), a, true); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", ContentDisposition(a.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", a.CreatedAt, f)
	return nil
}

func (s *Store) auditRead(ctx context.Context, a Attachment, ok bool) error {
	e := audit.Entry{Action: "attach.download", ObjectType: "attachment", ObjectID: a.ID, Success: ok,
		Extra: map[string]any{"object_type": a.ObjectType, "object_id": a.ObjectID, "filename": a.Filename}}
	if !ok {
		e.Message = "无权查看所属记录"
	}
	return s.DB.Tx(ctx, func(q db.Q) error { return audit.Record(ctx, q, s.Clock.Now(), e) })
}

// upload handles a multipart upload: the body is bounded by the largest owner limit, the record's CanEdit is asked
// before the file is read and again in the transaction that records it.
func (s *Store) upload(w http.ResponseWriter, r *http.Request) (Attachment, error) {
	if r.MultipartForm == nil {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			return Attachment{}, errs.BadRequest("请以 multipart/form-data 上传文件")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.largest()+1<<20)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return Attachment{}, tooLarge(s.largest())
			}
			return Attachment{}, errs.BadRequest("上传内容无法解析，应为 multipart/form-data")
		}
	}
	defer r.MultipartForm.RemoveAll()
	o, id, err := s.target(r.FormValue("object_type"), r.FormValue("object_id"))
	if err != nil {
		return Attachment{}, err
	}
	var fh *multipart.FileHeader
	if fs := r.MultipartForm.File["file"]; len(fs) > 0 {
		fh = fs[0]
	}
	if fh == nil {
		return Attachment{}, errs.Invalid("file", "请选择要上传的文件")
	}
	ctx := r.Context()
	if err := o.edit(ctx, s.DB, id); err != nil {
		return Attachment{}, err
	}
	if fh.Size > s.maxBytes(o) {
		return Attachment{}, tooLarge(s.maxBytes(o))
	}
	f, err := fh.Open()
	if err != nil {
		return Attachment{}, errs.BadRequest("上传的文件无法读取")
	}
	defer f.Close()
	st, err := s.stage(o, fh.Filename, f)
	if err != nil {
		return Attachment{}, err
	}
	var out Attachment
	err = s.DB.Tx(ctx, func(q db.Q) error {
		if err := o.edit(ctx, q, id); err != nil {
			return err
		}
		var err error
		out, err = s.insert(ctx, q, o.Type, id, st)
		return err
	})
	return out, err
}

// remove deletes the attachment of path {id} when the caller holds the owner's permissions (forbidden otherwise)
// and may change its record (not seeing it: not_found).
func (s *Store) remove(r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return errs.NotFound("附件")
	}
	ctx := r.Context()
	a, err := s.Get(ctx, s.DB, id)
	if err != nil {
		return err
	}
	o, err := s.owner(a.ObjectType)
	if err != nil {
		return errs.NotFound("附件")
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		if err := o.edit(ctx, q, a.ObjectID); err != nil {
			return err
		}
		return s.Delete(ctx, q, a.ID)
	})
}
