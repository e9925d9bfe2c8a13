package fleet

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
)

// RateInput is the body of POST /api/v1/trip-requests/{id}/rate.
type RateInput struct {
	Rating  int    `json:"rating" doc:"1–5"`
	Comment string `json:"comment,omitempty"`
}

// RateTrip records the requester's rating of a completed trip (1–5 and a comment), once: another user → 403, a trip
// not completed or rated already → 409.
func (s *Service) RateTrip(ctx context.Context, sc auth.Scope, id int64, in RateInput) (Trip, error) {
	now := s.Clock.Now()
	u := auth.UserFrom(ctx)
	if u == nil {
		return Trip{}, errs.Forbidden("需要登录用户")
	}
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		if in.Rating < 1 || in.Rating > 5 {
			f.Add("rating", "评价应为 1–5 分")
		}
		text(f, "comment", &in.Comment, 200, false, "评价意见")
		if err := f.Err(); err != nil {
			return err
		}
		if u.ID != t.RequesterUserID && (u.PersonID == 0 || u.PersonID != t.RequesterID) {
			return errs.Forbidden("只有用车人可以评价")
		}
		if t.Status != TripCompleted {
			return errs.Conflict("行程完成后才能评价")
		}
		res, err := q.Exec(ctx, "UPDATE fleet_trips SET rating = ?, rating_comment = ?, rated_at = ?, updated_at = ? WHERE id = ? AND status = 'completed' AND rating = 0",
			in.Rating, in.Comment, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("已评价过该行程")
		}
		if out, err = GetTrip(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objTrip, id, "rate", fmt.Sprintf("用车人评价：%d 分%s", in.Rating, prefixed("，", in.Comment))); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.rate", ObjectType: objTrip, ObjectID: id, OrgID: t.OrgID, Success: true,
			Before: map[string]any{"rating": 0}, After: map[string]any{"rating": in.Rating, "comment": in.Comment}})
	})
	return out, err
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
