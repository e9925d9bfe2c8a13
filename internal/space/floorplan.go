package space

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
)

// FloorPlan draws a floor's rooms as a plan-like grid (inline SVG, no CAD): rooms in number order along both
// sides of a corridor, wider for larger rooms, coloured by use, with violations in red and vacant offices white
// with a dashed edge. Each room links to its page and names itself in a tooltip. Presentation attributes only (the
// CSP forbids style attributes).
func FloorPlan(rooms []RoomRecord) template.HTML {
	if len(rooms) == 0 {
		return ""
	}
	list := append([]RoomRecord(nil), rooms...)
	sort.SliceStable(list, func(i, j int) bool { return naturalLess(list[i].Number, list[j].Number) })
	const (
		width    = 1000.0
		roomH    = 96.0
		corridor = 30.0
		gap      = 24.0
		perRow   = 8 // rooms on one side of one corridor
	)
	// Rows of rooms: side A above a corridor, side B below it; then the next corridor.
	var rows [][]RoomRecord
	for start := 0; start < len(list); start += perRow {
		rows = append(rows, list[start:min(start+perRow, len(list))])
	}
	bands := (len(rows) + 1) / 2
	height := float64(bands)*(2*roomH+corridor) + float64(bands-1)*gap + 8
	if len(rows)%2 == 1 {
		height -= roomH // the last corridor has rooms on one side only
	}
	var b strings.Builder
	// A fixed width: the plan stays legible and scrolls sideways on a phone (its container is a .table-wrap).
	fmt.Fprintf(&b, `<svg class="floor-plan" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="楼层平面示意图" xmlns="http://www.w3.org/2000/svg">`,
		width+8, height, width+8, height)
	b.WriteString(`<rect x="0" y="0" width="100%" height="100%" fill="#f7f9fb"/>`)
	for band := 0; band < bands; band++ {
		top := 4 + float64(band)*(2*roomH+corridor+gap)
		fmt.Fprintf(&b, `<rect x="4" y="%.1f" width="%.0f" height="%.0f" fill="#e9edf2"/>`, top+roomH, width, corridor)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="13" fill="#8a99a8" text-anchor="middle">走廊</text>`, 4+width/2, top+roomH+corridor/2+5)
		for side := 0; side < 2; side++ {
			ri := band*2 + side
			if ri >= len(rows) {
				continue
			}
			row := rows[ri]
			total := 0.0
			for _, r := range row {
				total += math.Max(math.Sqrt(r.UsableAreaM2), 3)
			}
			// A short row is drawn at the scale of a full one, so a lone room is not a hall.
			scale := width / math.Max(total, float64(perRow)*4.5)
			x := 4.0
			y := top
			if side == 1 {
				y = top + roomH + corridor
			}
			for _, r := range row {
				w := math.Max(math.Sqrt(r.UsableAreaM2), 3) * scale
				fill, stroke, dash := roomColour(r)
				title := fmt.Sprintf("%s %s · %s · %s m² · %s", r.Number, r.UseName(), r.OrgName, strconv.FormatFloat(r.UsableAreaM2, 'f', -1, 64), r.OccupantNames)
				if r.Violations > 0 {
					title += fmt.Sprintf(" · 违规 %d 项", r.Violations)
				}
				fmt.Fprintf(&b, `<a href="/space/rooms/%d"><title>%s</title>`, r.ID, template.HTMLEscapeString(title))
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s" stroke="%s" stroke-width="2"%s/>`, x+1, y+1, w-2, roomH-2, fill, stroke, dash)
				fs := 15.0
				if w < 90 {
					fs = 12
				}
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%.0f" font-weight="600" fill="#1f2933">%s</text>`, x+8, y+22, fs, template.HTMLEscapeString(r.Number))
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%.0f" fill="#3d4b59">%s</text>`, x+8, y+42, fs-2, template.HTMLEscapeString(short(r.SubtypeOrUse(), int(w/13))))
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%.0f" fill="#3d4b59">%s m²</text>`, x+8, y+61, fs-2, strconv.FormatFloat(r.UsableAreaM2, 'f', -1, 64))
				if r.OccupantCount > 0 {
					fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%.0f" fill="#3d4b59">%d 人</text>`, x+8, y+80, fs-2, r.OccupantCount)
				}
				if r.Violations > 0 {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="9" fill="#c0392b"/><text x="%.1f" y="%.1f" font-size="12" fill="#fff" text-anchor="middle">!</text>`, x+w-14, y+16, x+w-14, y+20)
				}
				b.WriteString(`</a>`)
				x += w
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// SubtypeOrUse is what the plan writes in a room: its subtype, or its use.
func (r RoomRecord) SubtypeOrUse() string {
	if r.Subtype != "" {
		return r.SubtypeName()
	}
	return r.UseName()
}

type legendItem struct {
	Fill, Stroke, Label string
	Dashed              bool
}

// legendColours are the fills by use type.
var legendColours = map[string][2]string{
	UseOffice: {"#dce8f7", "#1d4f91"}, UseService: {"#e3f4e8", "#2f855a"}, UseEquipment: {"#eceff3", "#66788a"}, UseAuxiliary: {"#fdf3dc", "#b7791f"},
}

func roomColour(r RoomRecord) (fill, stroke, dash string) {
	c := legendColours[r.UseType]
	fill, stroke = c[0], c[1]
	switch {
	case r.Violations > 0:
		fill, stroke = "#f9dcd8", "#c0392b"
	case r.UseType == UseOffice && r.OccupantCount == 0:
		fill, dash = "#ffffff", ` stroke-dasharray="6 4"`
	}
	return
}

func legend() []legendItem {
	var out []legendItem
	for _, u := range UseTypes {
		c := legendColours[u.Code]
		out = append(out, legendItem{Fill: c[0], Stroke: c[1], Label: u.Name})
	}
	return append(out, legendItem{Fill: "#ffffff", Stroke: "#1d4f91", Label: "空置办公室", Dashed: true}, legendItem{Fill: "#f9dcd8", Stroke: "#c0392b", Label: "存在违规"})
}

// LegendSwatch draws one legend square.
func (l legendItem) LegendSwatch() template.HTML {
	dash := ""
	if l.Dashed {
		dash = ` stroke-dasharray="4 3"`
	}
	return template.HTML(fmt.Sprintf(`<svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true"><rect x="1" y="1" width="16" height="12" fill="%s" stroke="%s" stroke-width="2"%s/></svg>`,
		template.HTMLEscapeString(l.Fill), template.HTMLEscapeString(l.Stroke), dash))
}

func short(s string, n int) string {
	r := []rune(s)
	if n < 2 {
		n = 2
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// naturalLess orders room numbers as people do ("9" < "10" < "101A").
func naturalLess(a, b string) bool {
	na, ra := leadingInt(a)
	nb, rb := leadingInt(b)
	if na != nb {
		return na < nb
	}
	return ra < rb
}

func leadingInt(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	if i == 0 {
		n = math.MaxInt32
	}
	return n, s[i:]
}
