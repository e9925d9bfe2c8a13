// Package errs defines the error values every GovOps layer returns: a stable code, a safe Chinese message for the
// user, the offending fields, and the underlying cause for the log. The web kit turns them into HTML or JSON.
package errs

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Code is the stable machine-readable error code of the JSON API (docs/api.md §Errors).
type Code string

// The codes of the API contract, each with its HTTP status in Status.
const (
	CodeBadRequest      Code = "bad_request"
	CodeUnauthenticated Code = "unauthenticated"
	CodeForbidden       Code = "forbidden"
	// CodePasswordChange (403): the user must change their password before anything else.
	CodePasswordChange Code = "password_change_required"
	// CodeTOTPRequired (403): the security policy requires this account (an officer) to enrol a second factor first.
	CodeTOTPRequired Code = "totp_required"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeValidation   Code = "validation"
	CodeLocked       Code = "locked"
	CodeRateLimited  Code = "rate_limited"
	CodeTooLarge     Code = "too_large"
	CodeInternal     Code = "internal"

	// CodePlausibility (422): the input is valid but implausible (a month far from the unit's earlier figures); the
	// same request again with a confirmation and a reason is accepted (docs/api.md §Energy).
	CodePlausibility Code = "plausibility"
)

// Error is a user-facing error. Message is safe to show; Err is for the log only.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " [%s: %s]", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Status maps a code to its HTTP status.
func Status(c Code) int {
	switch c {
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeUnauthenticated:
		return http.StatusUnauthorized
	case CodeForbidden, CodePasswordChange, CodeTOTPRequired:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeValidation, CodePlausibility:
		return http.StatusUnprocessableEntity
	case CodeLocked:
		return http.StatusLocked
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// As returns the *Error inside err, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of err, CodeInternal for foreign errors and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return CodeInternal
}

// Is reports whether err carries code c.
func Is(err error, c Code) bool { return CodeOf(err) == c }

// New makes an error with a code and message.
func New(c Code, msg string) *Error { return &Error{Code: c, Message: msg} }

// NotFound is the 404 answer, also used for objects outside the caller's data scope.
func NotFound(what string) *Error {
	if what == "" {
		what = "记录"
	}
	return &Error{Code: CodeNotFound, Message: what + "不存在或无权访问"}
}

// Forbidden is the 403 answer.
func Forbidden(msg string) *Error {
	if msg == "" {
		msg = "没有执行此操作的权限"
	}
	return &Error{Code: CodeForbidden, Message: msg}
}

// Conflict is the 409 answer: wrong state, duplicate, or an object still in use.
func Conflict(msg string) *Error { return &Error{Code: CodeConflict, Message: msg} }

// BadRequest is the 400 answer for a malformed request body.
func BadRequest(msg string) *Error { return &Error{Code: CodeBadRequest, Message: msg} }

// Internal wraps an unexpected error; the user sees a generic message, the log sees err.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "服务器内部错误，请稍后重试或联系管理员", Err: err}
}

// Invalid is a 422 with one offending field.
func Invalid(field, msg string) *Error {
	return &Error{Code: CodeValidation, Message: msg, Fields: map[string]string{field: msg}}
}

// Fields collects field errors while validating input; Err returns nil when nothing was added.
type Fields map[string]string

// Add records msg for field unless the field already has a message.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Has reports whether field already has an error.
func (f Fields) Has(field string) bool { _, ok := f[field]; return ok }

// Err returns a validation error listing every field, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msg := "输入有误：" + f[keys[0]]
	if len(keys) > 1 {
		msg = fmt.Sprintf("输入有误（%d 处）：%s", len(keys), f[keys[0]])
	}
	return &Error{Code: CodeValidation, Message: msg, Fields: map[string]string(f)}
}
