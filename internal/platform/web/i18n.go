package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Languages the UI speaks. Chinese is the default and the inline text of every key.
const (
	LangZH = "zh"
	LangEN = "en"
)

// Catalog holds translations beyond the inline Chinese defaults (the English catalogue, modules adding their own).
type Catalog struct {
	msgs map[string]map[string]string // lang → key → text
}

// NewCatalog returns an empty catalogue.
func NewCatalog() *Catalog { return &Catalog{msgs: map[string]map[string]string{}} }

// Add merges a JSON object {"key": "text", …} for lang. A key defined twice with different texts is an error.
func (c *Catalog) Add(lang string, data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("i18n %s: %w", lang, err)
	}
	if c.msgs[lang] == nil {
		c.msgs[lang] = map[string]string{}
	}
	for k, v := range m {
		if old, ok := c.msgs[lang][k]; ok && old != v {
			return fmt.Errorf("i18n %s: key %q defined twice", lang, k)
		}
		c.msgs[lang][k] = v
	}
	return nil
}

// Has reports whether lang has a text for key.
func (c *Catalog) Has(lang, key string) bool { _, ok := c.msgs[lang][key]; return ok }

// MissingMarker wraps a key that has no text in any form; the browser tests fail when it appears on a page.
func MissingMarker(key string) string { return "[[" + key + "]]" }

// keyPattern is what a translation key looks like ("module.thing.detail"); anything else passed to T is data
// (a unit's name in a breadcrumb, a title) and is shown as it is.
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// T translates "key|中文默认" (or a bare "key") into lang. Text that is not a key is returned unchanged.
func (c *Catalog) T(lang, s string) string {
	key, def, hasDef := strings.Cut(s, "|")
	if !hasDef && !keyPattern.MatchString(s) {
		return s
	}
	if lang != LangZH {
		if v, ok := c.msgs[lang][key]; ok {
			return v
		}
	}
	if hasDef {
		return def
	}
	if v, ok := c.msgs[LangZH][key]; ok {
		return v
	}
	return MissingMarker(key)
}

// Lang picks the UI language of a request: the `lang` cookie, else Chinese.
func Lang(r *http.Request) string {
	if ck, err := r.Cookie("lang"); err == nil && ck.Value == LangEN {
		return LangEN
	}
	return LangZH
}
