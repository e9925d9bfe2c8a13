package report

import (
	"regexp"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// The 基层表 is signed off by 单位负责人, 统计负责人 and 填表人 with a 联系电话 (the signature row of the form,
// docs/domain/energy.md §Statistics system): a report goes up only with all four, and a phone number that looks
// like one.

var (
	phoneSep    = regexp.MustCompile(`[\s\-－—()（）]`)
	phoneMobile = regexp.MustCompile(`^(\+?86)?1[3-9]\d{9}$`)
	// A landline with its area code (3–4 digits starting with 0, then 7–8 digits), a 400/800 number, optionally
	// with an extension (转 123, -123 after the number, ext 123).
	phoneLand   = regexp.MustCompile(`^(0\d{9,11}|[48]00\d{7})$`)
	phoneExtsep = regexp.MustCompile(`(?i)(转|分机|ext\.?|x)\s*\d{1,6}$`)
)

const phoneMessage = "联系电话格式不正确：请填写手机号（11 位）或带区号的固定电话，如 0311-86012345"

// PlausiblePhone reports whether s looks like a Chinese mobile or landline number.
func PlausiblePhone(s string) bool {
	s = strings.TrimSpace(s)
	s = phoneExtsep.ReplaceAllString(s, "")
	d := phoneSep.ReplaceAllString(s, "")
	if phoneMobile.MatchString(d) || phoneLand.MatchString(d) {
		return true
	}
	// 0311-86012345-123: a landline with the extension after a second hyphen.
	if i := strings.LastIndexAny(s, "-－"); i > 0 {
		return phoneLand.MatchString(phoneSep.ReplaceAllString(s[:i], ""))
	}
	return false
}

// checkSignoff refuses a submission without the sign-off fields: 422 naming each empty or bad one.
func checkSignoff(in Info) error {
	f := errs.Fields{}
	for _, c := range []struct{ field, name, v string }{{"principal", "单位负责人", in.Principal}, {"stats_lead", "统计负责人", in.StatsLead},
		{"preparer", "填表人", in.Preparer}, {"phone", "联系电话", in.Phone}} {
		if strings.TrimSpace(c.v) == "" {
			f.Add(c.field, "上报前请填写"+c.name)
		}
	}
	if p := strings.TrimSpace(in.Phone); p != "" && !PlausiblePhone(p) {
		f.Add("phone", phoneMessage)
	}
	if err := f.Err(); err != nil {
		e := errs.As(err)
		e.Message = "上报前请填写报表签署信息（单位负责人、统计负责人、填表人、联系电话）"
		return e
	}
	return nil
}
