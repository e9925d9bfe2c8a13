package demo

var provincialUnits = []unitSpec{
	{name: "中共示范省委办公厅", kind: "organ", category: "organ", staff: 62},
	{name: "示范省人民政府办公厅", kind: "organ", category: "organ", staff: 66, leaders: []string{"minister", "vice_minister", "vice_minister", "vice_minister"}},
	{name: "示范省发展和改革委员会", kind: "organ", category: "organ", staff: 58},
	{name: "示范省教育厅", kind: "organ", category: "organ", staff: 48},
	{name: "示范省财政厅", kind: "organ", category: "organ", staff: 52},
	{name: "示范省公安厅", kind: "organ", category: "organ", staff: 60},
	{name: "示范省自然资源厅", kind: "organ", category: "organ", staff: 44},
	{name: "示范省生态环境厅", kind: "organ", category: "organ", staff: 40},
	{name: "示范省交通运输厅", kind: "organ", category: "organ", staff: 42},
	{name: "示范省卫生健康委员会", kind: "organ", category: "organ", staff: 46},
	{name: "示范省统计局", kind: "organ", category: "organ", staff: 30},
	{name: "示范省总工会", kind: "association", category: "organ", staff: 24},
	{name: "示范大学", kind: "institution", category: "higher_education", staff: 40},
	{name: "示范省人民医院", kind: "institution", category: "hospital", staff: 36},
	{name: "示范省实验中学", kind: "institution", category: "school", staff: 24},
	{name: "示范省体育中心", kind: "institution", category: "venue", staff: 18},
	{name: "示范省档案馆", kind: "institution", category: "other", staff: 20},
}

var municipalUnits = []unitSpec{
	{name: "委办公室", kind: "organ", category: "organ", staff: 34},
	{name: "人民政府办公室", kind: "organ", category: "organ", staff: 38, leaders: []string{"bureau_director", "deputy_bureau_director", "deputy_bureau_director", "deputy_bureau_director"}},
	{name: "发展和改革委员会", kind: "organ", category: "organ", staff: 30},
	{name: "教育局", kind: "organ", category: "organ", staff: 28},
	{name: "财政局", kind: "organ", category: "organ", staff: 30},
	{name: "公安局", kind: "organ", category: "organ", staff: 36},
	{name: "卫生健康委员会", kind: "organ", category: "organ", staff: 26},
	{name: "第一人民医院", kind: "institution", category: "hospital", staff: 24},
	{name: "第一中学", kind: "institution", category: "school", staff: 20},
	{name: "职业技术学院", kind: "institution", category: "higher_education", staff: 22},
}

var countyUnits = []unitSpec{
	{name: "委办公室", kind: "organ", category: "organ", staff: 18},
	{name: "人民政府办公室", kind: "organ", category: "organ", staff: 20, leaders: []string{"division_director", "deputy_division_director", "deputy_division_director", "deputy_division_director"}},
	{name: "发展和改革局", kind: "organ", category: "organ", staff: 15},
	{name: "教育局", kind: "organ", category: "organ", staff: 16},
	{name: "财政局", kind: "organ", category: "organ", staff: 16},
	{name: "卫生健康局", kind: "organ", category: "organ", staff: 14},
	{name: "人民医院", kind: "institution", category: "hospital", staff: 14},
	{name: "第一中学", kind: "institution", category: "school", staff: 12},
	{name: "实验小学", kind: "institution", category: "school", staff: 10},
}

type countySpec struct {
	name, code string
	towns      []string
}

type citySpec struct {
	name, code string
	counties   []countySpec
}

var cities = []citySpec{
	{"青山市", "990100", []countySpec{
		{"东城区", "990102", []string{"东华街道", "城北街道"}},
		{"松岭县", "990121", []string{"松岭镇", "林场乡"}},
		{"云溪县", "990122", []string{"云溪镇", "白石乡"}},
	}},
	{"绿水市", "990200", []countySpec{
		{"河西区", "990202", []string{"河西街道", "滨江街道"}},
		{"柳塘县", "990221", []string{"柳塘镇", "荷花乡"}},
		{"桃源县", "990222", []string{"桃源镇", "清溪乡"}},
	}},
	{"金沙市", "990300", []countySpec{
		{"沙湾区", "990302", []string{"沙湾街道", "金港街道"}},
		{"石门县", "990321", []string{"石门镇", "红岩乡"}},
		{"北川县", "990322", []string{"北川镇", "雪山乡"}},
	}},
}

type rankSlot struct{ rank, position string }

// rankPlan gives a unit's people ranks that fit its level: the unit's head and deputies, the heads of its internal
// divisions or sections, and staff. Units that house a government's leaders list them in spec.leaders.
func rankPlan(level string, spec unitSpec, g *gen) []rankSlot {
	var head, deputy, mid, midDeputy string
	switch level {
	case "provincial":
		head, deputy, mid, midDeputy = "bureau_director", "deputy_bureau_director", "division_director", "deputy_division_director"
	case "municipal":
		head, deputy, mid, midDeputy = "division_director", "deputy_division_director", "section_chief", "deputy_section_chief"
	case "county":
		head, deputy, mid, midDeputy = "section_chief", "deputy_section_chief", "staff", "staff"
	default: // township
		head, deputy, mid, midDeputy = "section_chief", "deputy_section_chief", "staff", "staff"
	}
	headTitle, deputyTitle := "主要负责人", "副职负责人"
	switch {
	case spec.category == "hospital":
		headTitle, deputyTitle = "院长", "副院长"
	case spec.category == "school" || spec.category == "higher_education":
		headTitle, deputyTitle = "校长", "副校长"
	case spec.kind == "bureau":
		headTitle, deputyTitle = "局长（主任）", "副局长（副主任）"
	}
	var out []rankSlot
	leaderTitles := map[string]string{"minister": "省长", "vice_minister": "副省长", "bureau_director": "市长", "deputy_bureau_director": "副市长",
		"division_director": "县长", "deputy_division_director": "副县长"}
	for _, l := range spec.leaders {
		out = append(out, rankSlot{l, leaderTitles[l]})
	}
	out = append(out, rankSlot{head, headTitle})
	deputies := 2 + g.r.IntN(2)
	for i := 0; i < deputies; i++ {
		out = append(out, rankSlot{deputy, deputyTitle})
	}
	mids := spec.staff / 6
	for i := 0; i < mids; i++ {
		out = append(out, rankSlot{mid, "处（科）室负责人"})
		if i%2 == 0 {
			out = append(out, rankSlot{midDeputy, "处（科）室副职"})
		}
	}
	for len(out) < spec.staff {
		r := "staff"
		if level != "county" && level != "township" && g.r.IntN(4) == 0 {
			r = midDeputy
		}
		if (level == "county" || level == "township") && g.r.IntN(8) == 0 {
			r = "deputy_section_chief"
		}
		out = append(out, rankSlot{r, "工作人员"})
	}
	return out
}
