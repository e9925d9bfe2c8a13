package energy

import (
	"log/slog"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

// PartDeps is what the parts of the energy module — quotas, the annual report, energy performance contracts and
// PV, each a package of its own — take from the assembled program. Each part declares `type Deps = energy.PartDeps`.
type PartDeps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	UI       *web.UI
	Auth     *auth.Service
	Refdata  *refdata.Store
	Workflow *workflow.Service
	Jobs     *jobs.Runner
	Notify   *notify.Service
	Calendar *calendar.Calendar
	Energy   *Service
	Attach   *attach.Store // documents on the part's records (nil: none)
}

// WithDefaults fills in what a test or tool may leave out: a logger that discards.
func (d PartDeps) WithDefaults() PartDeps {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return d
}
