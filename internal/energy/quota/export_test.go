package quota

import "github.com/govops/govops/internal/platform/errs"

func errsAs(err error) map[string]string {
	if e := errs.As(err); e != nil {
		return e.Fields
	}
	return nil
}
