package org

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// CreateOrgTx creates a unit inside an open transaction (the demo loader and importers compose with it).
func (s *Service) CreateOrgTx(ctx context.Context, q db.Q, sc auth.Scope, in OrgInput) (Org, error) {
	return s.createOrg(ctx, q, sc, in, s.Clock.Now())
}

// CreatePersonTx creates a person inside an open transaction.
func (s *Service) CreatePersonTx(ctx context.Context, q db.Q, sc auth.Scope, in PersonInput) (Person, error) {
	return s.createPerson(ctx, q, sc, in, s.Clock.Now())
}

// BulkOrg is a unit for BulkInsert; Parent is an index into the same slice (-1: under ParentID).
type BulkOrg struct {
	Parent   int
	ParentID int64
	In       OrgInput
}

// BulkPerson is a person for BulkInsert: in an existing unit (OrgID) or in one of the call's units (Org indexes
// them; used when OrgID is 0).
type BulkPerson struct {
	Org   int
	OrgID int64
	In    PersonInput
}

// BulkInsert writes many units and people with multi-row inserts, for load-test data (`govops demo --scale`).
// Input is trusted (generated), ids are allocated up front so paths can be computed without a round trip per row.
// The caller records one audit entry for the whole load.
func BulkInsert(ctx context.Context, q db.Q, now time.Time, orgs []BulkOrg, people []BulkPerson) error {
	var next int64
	if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM orgs").Scan(&next); err != nil {
		return err
	}
	ids := make([]int64, len(orgs))
	paths := make([]string, len(orgs))
	depths := make([]int, len(orgs))
	for i, o := range orgs {
		ids[i] = next + int64(i)
		if o.Parent >= 0 {
			paths[i] = paths[o.Parent] + strconv.FormatInt(ids[i], 10) + "/"
			depths[i] = depths[o.Parent] + 1
		} else if o.ParentID == 0 {
			paths[i] = "/" + strconv.FormatInt(ids[i], 10) + "/"
		} else {
			var pp string
			var pd int
			if err := q.QueryRow(ctx, "SELECT path, depth FROM orgs WHERE id = ?", o.ParentID).Scan(&pp, &pd); err != nil {
				return err
			}
			paths[i] = pp + strconv.FormatInt(ids[i], 10) + "/"
			depths[i] = pd + 1
		}
	}
	const orgBatch = 300
	for start := 0; start < len(orgs); start += orgBatch {
		end := min(start+orgBatch, len(orgs))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO orgs (id, parent_id, path, depth, name, short_name, kind, admin_level, region_code, credit_code, category,
			headcount, floor_area_m2, address, contact, phone, status, sort, created_at, updated_at) VALUES `)
		args := make([]any, 0, (end-start)*19)
		for i := start; i < end; i++ {
			o := orgs[i]
			if i > start {
				sb.WriteString(",")
			}
			sb.WriteString("(?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, '', '', '', 'active', 0, ?, ?)")
			var parent any = db.NullInt(o.ParentID)
			if o.Parent >= 0 {
				parent = ids[o.Parent]
			}
			args = append(args, ids[i], parent, paths[i], depths[i], o.In.Name, o.In.Kind, o.In.AdminLevel, db.NullStr(o.In.RegionCode),
				db.NullStr(o.In.CreditCode), o.In.Category, o.In.Headcount, o.In.FloorAreaM2, now.Unix(), now.Unix())
		}
		if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	if err := db.SyncIdentity(ctx, q, "orgs"); err != nil {
		return err
	}
	// Units given by id keep their stored path.
	known := map[int64]string{}
	for _, p := range people {
		if p.OrgID == 0 {
			continue
		}
		if _, ok := known[p.OrgID]; !ok {
			path, err := Tree{}.OrgPath(ctx, q, p.OrgID)
			if err != nil {
				return err
			}
			known[p.OrgID] = path
		}
	}
	const personBatch = 400
	for start := 0; start < len(people); start += personBatch {
		end := min(start+personBatch, len(people))
		var sb strings.Builder
		sb.WriteString("INSERT INTO people (org_id, code, name, gender, rank, position, phone, status, status_since, org_path, created_at, updated_at) VALUES ")
		args := make([]any, 0, (end-start)*12)
		for i := start; i < end; i++ {
			p := people[i]
			if i > start {
				sb.WriteString(",")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			orgID, path := p.OrgID, known[p.OrgID]
			if orgID == 0 {
				orgID, path = ids[p.Org], paths[p.Org]
			}
			args = append(args, orgID, db.NullStr(p.In.Code), p.In.Name, p.In.Gender, p.In.Rank, p.In.Position, p.In.Phone, p.In.Status,
				p.In.StatusSince, path, now.Unix(), now.Unix())
		}
		if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	// The search index of the new people: everyone who has no terms yet.
	rows, err := db.Select(ctx, q, func(s db.Scanner) (termRow, error) {
		var t termRow
		return t, s.Scan(&t.id, &t.name, &t.orgPath)
	}, "SELECT p.id, p.name, p.org_path FROM people p WHERE NOT EXISTS (SELECT 1 FROM person_terms t WHERE t.person_id = p.id)")
	if err != nil {
		return err
	}
	return insertTerms(ctx, q, rows)
}
