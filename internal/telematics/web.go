package telematics

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/web"
)

// The pages: the live list (latest positions), the alarm list and a vehicle's track. The track is drawn as an SVG
// polyline of the positions with times, so it is usable with no map tiles at all (government intranets); the tile
// URL (--tile-url) is carried for a tiled map later.

const crumbLive = "telematics.menu.live|车辆位置"

func (s *Service) g(r *http.Request, title string, crumbs ...web.Crumb) web.Globals {
	return s.UI.G(r, title, append([]web.Crumb{{Label: crumbLive, Path: "/telematics"}}, crumbs...)...)
}

type livePage struct {
	web.Globals
	Items []Latest
	Pager web.Pager
}

type alarmsPage struct {
	web.Globals
	Items    []AlarmItem
	Pager    web.Pager
	Kind     string
	Kinds    []web.Option
	From, To string
	Vehicle  int64
}

type trackPage struct {
	web.Globals
	V        org.Vehicle
	From, To string
	Track    Track
	Trips    []TripItem
	Alarms   []AlarmItem
	Points   int64
	TileURL  string
}

// Track is the drawing of a vehicle's track: an SVG polyline in a 1000×600 box, its start and end and the marks of
// the trips' starts with their times.
type Track struct {
	Polyline string
	Marks    []Mark
	Empty    bool
	Partial  bool // more positions than drawn (the first maxTrack)
	KmAcross float64
}

// Mark is a labelled point of the track.
type Mark struct {
	X, Y  float64
	Label string
	Kind  string // start | end | trip
}

const maxTrack = 20_000

// drawTrack projects the positions (equirectangular around their mean latitude) into the box.
func drawTrack(ps []Point, trips []TripItem) Track {
	var t Track
	if len(ps) == 0 {
		t.Empty = true
		return t
	}
	minLat, maxLat, minLon, maxLon := 90.0, -90.0, 180.0, -180.0
	for _, p := range ps {
		minLat, maxLat = math.Min(minLat, p.Lat), math.Max(maxLat, p.Lat)
		minLon, maxLon = math.Min(minLon, p.Lon), math.Max(maxLon, p.Lon)
	}
	k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	w, h := (maxLon-minLon)*k, maxLat-minLat
	scale := 1.0
	if w > 0 || h > 0 {
		scale = math.Min(960/math.Max(w, 1e-9), 560/math.Max(h, 1e-9))
	}
	xy := func(p Point) (float64, float64) {
		return 20 + (p.Lon-minLon)*k*scale + (960-w*scale)/2, 20 + (maxLat-p.Lat)*scale + (560-h*scale)/2
	}
	var sb strings.Builder
	for i, p := range ps {
		x, y := xy(p)
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%.1f,%.1f", x, y)
	}
	t.Polyline = sb.String()
	t.KmAcross = math.Round(Haversine(minLat, minLon, minLat, maxLon)*10) / 10
	hm := func(u int64) string { return time.Unix(u, 0).In(clock.Shanghai).Format("01-02 15:04") }
	for _, tr := range trips {
		st, _ := time.Parse(time.RFC3339, tr.StartTime)
		for _, p := range ps {
			if p.T >= st.Unix() {
				x, y := xy(p)
				t.Marks = append(t.Marks, Mark{X: x, Y: y, Label: hm(p.T), Kind: "trip"})
				break
			}
		}
	}
	x, y := xy(ps[0])
	t.Marks = append(t.Marks, Mark{X: x, Y: y, Label: "起 " + hm(ps[0].T), Kind: "start"})
	x, y = xy(ps[len(ps)-1])
	t.Marks = append(t.Marks, Mark{X: x, Y: y, Label: "止 " + hm(ps[len(ps)-1].T), Kind: "end"})
	return t
}

func (s *Service) registerPages() {
	u := s.UI
	u.Page("GET /telematics", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		p := &livePage{Globals: s.UI.G(r, crumbLive, web.Crumb{Label: crumbLive})}
		var total int64
		if p.Items, total, err = s.LatestPositions(r.Context(), s.DB, auth.ScopeFrom(r.Context()), l); err != nil {
			return err
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, http.StatusOK, "telematics/live.html", p)
	})
	u.Page("GET /telematics/alarms", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := s.parseAlarmFilter(r)
		if err != nil {
			return err
		}
		p := &alarmsPage{Globals: s.g(r, "telematics.menu.alarms|用车报警", web.Crumb{Label: "telematics.menu.alarms|用车报警"}), Kind: f.Kind,
			From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"), Vehicle: f.VehicleID}
		for _, k := range Kinds {
			p.Kinds = append(p.Kinds, web.Option{Value: k, Label: KindNames[k]})
		}
		var total int64
		if p.Items, total, err = s.Alarms(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "telematics/alarms.html", p)
	})
	u.Page("GET /telematics/vehicles/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		ctx, sc := r.Context(), auth.ScopeFrom(r.Context())
		v, err := s.Fleet.TelematicsVehicle(ctx, s.DB, sc, id)
		if err != nil {
			return err
		}
		// The track of one day by default: today, Beijing time.
		q := r.URL.Query()
		today := clock.Today(s.Clock.Now())
		if q.Get("from") == "" && q.Get("to") == "" {
			q.Set("from", today)
			q.Set("to", today)
			r.URL.RawQuery = q.Encode()
		}
		win, err := s.parseWindow(r, 24*time.Hour, 7*24*time.Hour)
		if err != nil {
			return err
		}
		p := &trackPage{Globals: s.g(r, v.Plate, web.Crumb{Label: v.Plate}), V: v, From: q.Get("from"), To: q.Get("to"), TileURL: s.Options.TileURL}
		win.List.PageSize, win.List.Page = 500, 1
		if p.Trips, _, err = s.Trips(ctx, s.DB, sc, id, win); err != nil {
			return err
		}
		if p.Alarms, _, err = s.Alarms(ctx, s.DB, sc, AlarmFilter{Window: win, VehicleID: id}); err != nil {
			return err
		}
		ps, err := points(ctx, s.DB, id, win.From, win.To)
		if err != nil {
			return err
		}
		p.Points = int64(len(ps))
		var fixed []Point
		for _, pt := range ps {
			if pt.fixed() {
				fixed = append(fixed, pt)
			}
		}
		partial := len(fixed) > maxTrack
		if partial {
			fixed = fixed[:maxTrack]
		}
		p.Track = drawTrack(fixed, p.Trips)
		p.Track.Partial = partial
		return u.Render(w, r, http.StatusOK, "telematics/track.html", p)
	})
}
