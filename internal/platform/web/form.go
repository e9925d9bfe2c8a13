package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// Refusal tells a form page how to answer a write that was refused: ok is true for a validation or conflict error,
// with the status to answer (422, 409) and the messages to show beside the fields; a message that belongs to no
// field is under "_", which the kit's "form-error" partial shows above the form. Anything else — nil, not found,
// forbidden, an internal error — is not a refusal: the handler returns it as it is. Every form page answers a
// refused post this way:
//
//	o, err := s.CreateOrg(ctx, sc, in)
//	if status, fields, ok := web.Refusal(err); ok {
//		return s.renderOrgForm(w, r, status, nil, in, fields)
//	} else if err != nil {
//		return err
//	}
func Refusal(err error) (status int, fields map[string]string, ok bool) {
	e := errs.As(err)
	if e == nil || (e.Code != errs.CodeValidation && e.Code != errs.CodeConflict) {
		return 0, nil, false
	}
	if len(e.Fields) > 0 {
		return errs.Status(e.Code), e.Fields, true
	}
	return errs.Status(e.Code), map[string]string{"_": e.Message}, true
}

// Done answers an action form (a button that moves a record on: approve, close, delete): on success a redirect to
// `to` with the flash ok; a refusal (wrong state, bad input, no right) goes back to `to` with the Chinese message,
// and the fields' messages named by labels, as an error flash; anything else is the error page.
func (u *UI) Done(w http.ResponseWriter, r *http.Request, err error, to, ok string, labels map[string]string) error {
	if err == nil {
		return u.Redirect(w, r, to, ok)
	}
	e := errs.As(err)
	if e == nil || e.Code == errs.CodeInternal || e.Code == errs.CodeUnauthenticated {
		return err
	}
	msg := e.Message
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := e.Fields[k]; !strings.Contains(msg, v) {
			name := k
			if l, ok := labels[k]; ok {
				name = l
			}
			msg += "（" + name + "：" + v + "）"
		}
	}
	u.SetFlash(w, "error", msg)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// Submit answers a form post the one way every page does. A form that did not parse (f holds the fields'
// messages) is shown again with 422; otherwise save runs: a refused write (see Refusal) shows the form again with
// its status and the fields' messages, any other error is the error page, and success redirects to the address save
// returns with its flash message.
func (u *UI) Submit(w http.ResponseWriter, r *http.Request, f errs.Fields, form func(status int, fields map[string]string) error,
	save func() (to, flash string, err error)) error {
	if len(f) > 0 {
		return form(http.StatusUnprocessableEntity, f)
	}
	to, flash, err := save()
	if status, fields, ok := Refusal(err); ok {
		return form(status, fields)
	} else if err != nil {
		return err
	}
	return u.Redirect(w, r, to, flash)
}
