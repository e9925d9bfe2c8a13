// Package enum holds the closed code lists of GovOps (unit kinds, ranks, room uses, statuses …): a stable code for
// the API and the database, with the Chinese name people read and type into Excel imports. Every module declares its
// lists as enum.List and uses these methods, so an unknown code behaves the same everywhere: Name shows it as it
// is (never a blank cell), Has refuses it.
package enum

import (
	"strings"

	"github.com/govops/govops/internal/platform/web"
)

// Enum is a code with its Chinese name.
type Enum struct{ Code, Name string }

// List is a closed list of codes in display order.
type List []Enum

// Name is the Chinese name of code; an unknown code is returned as it is (so a value from an older version or an
// import still shows), "" stays "".
func (l List) Name(code string) string {
	for _, e := range l {
		if e.Code == code {
			return e.Name
		}
	}
	return code
}

// Has reports whether code is in the list.
func (l List) Has(code string) bool {
	for _, e := range l {
		if e.Code == code {
			return true
		}
	}
	return false
}

// Code finds the code whose code or Chinese name is s (imports accept either); ok is false when none matches.
func (l List) Code(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	for _, e := range l {
		if e.Code == s || e.Name == s {
			return e.Code, true
		}
	}
	return "", false
}

// Codes lists the codes in order.
func (l List) Codes() []string {
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = e.Code
	}
	return out
}

// Names lists the Chinese names joined by "、" (for Excel templates and import errors, where people type Chinese).
func (l List) Names() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Name
	}
	return strings.Join(parts, "、")
}

// Described lists "code（名称）" pairs joined by "、" (for API validation messages, where callers send codes).
func (l List) Described() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Code + "（" + e.Name + "）"
	}
	return strings.Join(parts, "、")
}

// Options are the list as the choices of a form's select.
func (l List) Options() []web.Option {
	out := make([]web.Option, len(l))
	for i, e := range l {
		out[i] = web.Option{Value: e.Code, Label: e.Name}
	}
	return out
}

// Of makes a list from code, name pairs: enum.Of("active", "在职", "retired", "退休"). It panics on an odd count (a
// programming error found at start).
func Of(pairs ...string) List {
	if len(pairs)%2 != 0 {
		panic("enum.Of: codes and names must come in pairs")
	}
	l := make(List, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		l = append(l, Enum{Code: pairs[i], Name: pairs[i+1]})
	}
	return l
}
