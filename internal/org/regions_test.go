package org

import "testing"

func TestLoadRegions(t *testing.T) {
	rs, err := LoadRegions()
	if err != nil {
		t.Fatal(err)
	}
	levels := map[int]int{}
	byCode := map[string]Region{}
	for _, r := range rs {
		levels[r.Level]++
		byCode[r.Code] = r
	}
	if levels[1] != 31 || levels[2] != 342 || levels[3] != 2978 {
		t.Fatalf("levels = %v, want 31/342/2978", levels)
	}
	if r := byCode["110101"]; r.Name != "东城区" || r.ParentCode != "110100" || r.FullName != "北京市东城区" {
		t.Errorf("110101 = %+v", r)
	}
	if r := byCode["130100"]; r.FullName != "河北省石家庄市" || r.ParentCode != "130000" {
		t.Errorf("130100 = %+v", r)
	}
}

func TestCreditCode(t *testing.T) {
	// Check characters computed independently (GB 32100-2015 weights 3^i mod 31).
	cases := map[string]string{
		"91350100M000100Y43": "", // a widely published valid example
		"91350100M000100Y44": "统一社会信用代码校验位错误（第 18 位应为 3）",
		"91350100M000100Y4":  "统一社会信用代码应为 18 位（现为 17 位）",
		"91350100M000100I43": "统一社会信用代码第 16 位“I”不是允许的字符（不使用 I、O、S、V、Z）",
		"913501A0M000100Y43": "统一社会信用代码第 3–8 位应为行政区划代码（数字）",
	}
	for code, want := range cases {
		if got := CheckCreditCode(code); got != want {
			t.Errorf("CheckCreditCode(%q) = %q, want %q", code, got, want)
		}
	}
	c, ok := CreditCheckChar("11110000MB0123456")
	if !ok {
		t.Fatal("CreditCheckChar refused a valid prefix")
	}
	if CheckCreditCode("11110000MB0123456"+string(c)) != "" {
		t.Error("a code completed by CreditCheckChar does not validate")
	}
}
