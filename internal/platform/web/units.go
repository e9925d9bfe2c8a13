package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The unit picker (docs/architecture.md §Surfaces): one partial, "unit-picker", for every unit filter and unit field
// of every module. It is a <select> of the first UnitPickerLimit units of the caller's data scope (and the chosen
// one) with a search box beside it that asks GET /orgs/options for the units whose name, short name or credit code
// match, so every unit of the scope is reachable, not only the first ones. Without JavaScript the select still
// works, and a filter form's search box submits with the form (org_q), which narrows the options on the next page.

// UnitPickerLimit is how many units a picker lists at once; more are reached by searching.
const UnitPickerLimit = 30

// UnitOption is one unit a picker offers.
type UnitOption struct {
	ID    int64
	Label string
}

// UnitChoices is what a picker offers: the chosen unit (nil when none is chosen or it lies outside the caller's
// scope), the units matching the search (at most the limit asked for) and how many more match.
type UnitChoices struct {
	Selected *UnitOption
	Options  []UnitOption
	More     int64
}

// UnitSource finds the units of the caller's data scope (from ctx) whose name, short name or credit code match q
// (every unit when q is empty), at most limit, and the selected unit. The spine provides it; the wiring sets
// UI.Units.
type UnitSource func(ctx context.Context, q string, selected int64, limit int) (UnitChoices, error)

// UnitPicker is the data of the "unit-picker" partial.
type UnitPicker struct {
	Name, ID string // the field's name and the select's id
	Label    string // shown above a form field, read by screen readers beside a filter
	// None says what the empty choice means: "all" (the whole data scope), "default" (a setting for every unit)
	// or "pick" (nothing chosen yet).
	None     string
	NoneText string
	Required bool
	// Autosubmit submits the form when a unit is chosen (filters without their own button).
	Autosubmit bool
	// Field draws a form field (label above, help and error below) rather than a toolbar control.
	Field       bool
	Help, Error string
	Q           string // the search text of the request (org_q), kept in the box
	// Search is whether the caller may search (the search route needs org:read).
	Search bool
	// Lazy pickers are drawn without their options, which htmx loads as the page opens (pickers inside partials
	// that have no page globals).
	Lazy bool
	UnitChoices
}

// Value is the chosen unit's id as the form sends it ("" for none).
func (p *UnitPicker) Value() string {
	if p.Selected == nil {
		return ""
	}
	return strconv.FormatInt(p.Selected.ID, 10)
}

// newUnitPicker applies the partial's options given as key/value pairs: "label", "none" ("all" or "pick"),
// "required", "autosubmit", "field", "help", "error", "id".
func newUnitPicker(name string, kv []any) (*UnitPicker, error) {
	p := &UnitPicker{Name: name, ID: "f-" + name, None: "pick"}
	if len(kv)%2 != 0 {
		return nil, errors.New("unit picker: options need key/value pairs")
	}
	for i := 0; i < len(kv); i += 2 {
		k, _ := kv[i].(string)
		v := kv[i+1]
		s, _ := v.(string)
		b, _ := v.(bool)
		switch k {
		case "label":
			p.Label = s
		case "none":
			p.None = s
		case "required":
			p.Required = b
		case "autosubmit":
			p.Autosubmit = b
		case "field":
			p.Field = b
		case "help":
			p.Help = s
		case "error":
			p.Error = s
		case "id":
			p.ID = s
		default:
			return nil, fmt.Errorf("unit picker: unknown option %q", k)
		}
	}
	if p.None != "all" && p.None != "pick" && p.None != "default" {
		return nil, fmt.Errorf("unit picker: none must be all, pick or default, not %q", p.None)
	}
	return p, nil
}

// toID reads a unit id given to a picker as a number or its text.
func toID(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	case *int64:
		if x != nil {
			return *x
		}
	}
	return 0
}

// UnitPicker builds a picker for the field name with the unit selected chosen, its options read now from the
// caller's scope (narrowed by the request's org_q): {{template "unit-picker" (.UnitPicker "org_id" .F.OrgID "none"
// "all")}}. See newUnitPicker for the options.
func (g Globals) UnitPicker(name string, selected any, kv ...any) (*UnitPicker, error) {
	p, err := newUnitPicker(name, kv)
	if err != nil {
		return nil, err
	}
	p.Search = g.Can("org:read")
	sel := toID(selected)
	if g.req != nil {
		p.Q = strings.TrimSpace(g.req.URL.Query().Get("org_q"))
	}
	p.NoneText = g.ui.noneText(g.Lang, p.None)
	if g.ui == nil || g.ui.Units == nil || g.req == nil {
		return p, nil
	}
	limit := UnitPickerLimit
	if !p.Search {
		limit = 0 // only the chosen unit: listing units needs org:read
	}
	c, err := g.ui.Units(g.req.Context(), p.Q, sel, limit)
	if err != nil {
		return nil, err
	}
	p.UnitChoices = c
	return p, nil
}

// unitField builds a picker whose options htmx loads as the page opens, for partials called with a dict rather
// than the page: {{template "unit-picker" (unitField "org_id" .Value "label" .Label "field" true)}}. The chosen
// unit's name is given as "text".
func (u *UI) unitField(lang string) func(name string, selected any, kv ...any) (*UnitPicker, error) {
	return func(name string, selected any, kv ...any) (*UnitPicker, error) {
		var text string
		var rest []any
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == "text" {
				text, _ = kv[i+1].(string)
				continue
			}
			rest = append(rest, kv[i], kv[i+1])
		}
		if len(kv)%2 != 0 {
			return nil, errors.New("unit picker: options need key/value pairs")
		}
		p, err := newUnitPicker(name, rest)
		if err != nil {
			return nil, err
		}
		p.Lazy, p.Search = true, true
		if id := toID(selected); id != 0 {
			p.Selected = &UnitOption{ID: id, Label: text}
		}
		p.NoneText = u.noneText(lang, p.None)
		return p, nil
	}
}

func (u *UI) noneText(lang, none string) string {
	if u == nil {
		return ""
	}
	switch none {
	case "all":
		return u.Catalog.T(lang, "web.unit.all|全部数据范围")
	case "default":
		return u.Catalog.T(lang, "web.unit.default|默认（全部单位）")
	}
	return u.Catalog.T(lang, "web.unit.pick|（请选择）")
}

// UnitOptions answers a picker's search (GET /orgs/options, registered by the spine): the <option>s of the units
// matching org_q in the caller's scope, the chosen unit first (selected, or the value of the field named by name),
// then up to UnitPickerLimit matches and a note when more match.
func (u *UI) UnitOptions(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	none := qv.Get("none")
	if none != "all" && none != "default" {
		none = "pick"
	}
	sel := toID(qv.Get("selected"))
	if sel == 0 && qv.Get("name") != "" {
		sel = toID(qv.Get(qv.Get("name")))
	}
	if sel == 0 {
		sel = toID(qv.Get("scope_org_id"))
	}
	p := &UnitPicker{None: none, Required: qv.Get("required") == "1", Q: strings.TrimSpace(qv.Get("org_q"))}
	if u.Units == nil {
		return errors.New("web: no unit source")
	}
	c, err := u.Units(r.Context(), p.Q, sel, UnitPickerLimit)
	if err != nil {
		return err
	}
	p.UnitChoices = c
	p.NoneText = u.noneText(Lang(r), none)
	return u.Fragment(w, r, "web/error.html", "unit-options", p)
}
