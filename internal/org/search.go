package org

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// maxTerm is the longest name substring kept in the search index; longer queries fall back to LIKE.
const maxTerm = 6

// nameTerms returns every distinct substring of name of 1..maxTerm characters (a 3-character name gives 6), so a
// search for any part of a name is an exact index lookup.
func nameTerms(name string) []string {
	rs := []rune(strings.TrimSpace(name))
	seen := map[string]bool{}
	var out []string
	for i := range rs {
		for j := i + 1; j <= len(rs) && j-i <= maxTerm; j++ {
			t := strings.ToLower(string(rs[i:j]))
			if strings.TrimSpace(t) == "" || seen[t] {
				continue
			}
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// indexPerson rewrites a person's search terms.
func indexPerson(ctx context.Context, q db.Q, id int64, name, orgPath string) error {
	if _, err := q.Exec(ctx, "DELETE FROM person_terms WHERE person_id = ?", id); err != nil {
		return err
	}
	return insertTerms(ctx, q, []termRow{{id, name, orgPath}})
}

type termRow struct {
	id      int64
	name    string
	orgPath string
}

// insertTerms adds the terms of many people with multi-row inserts.
func insertTerms(ctx context.Context, q db.Q, people []termRow) error {
	const batch = 400
	var sb strings.Builder
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := q.Exec(ctx, sb.String(), args...)
		sb.Reset()
		args = args[:0]
		return err
	}
	for _, p := range people {
		for _, t := range nameTerms(p.name) {
			if len(args) == 0 {
				sb.WriteString("INSERT INTO person_terms (term, org_path, name, person_id) VALUES ")
			} else {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?)")
			args = append(args, t, p.orgPath, p.name, p.id)
			if len(args) >= batch*4 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// searchCond turns the search text of a people list into a condition on p: a part of the name (through the
// search index, within the scope's path range when there is one) or the exact staff number.
func searchCond(text, pathFrom, pathTo string) (string, []any) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > maxTerm {
		return "(p.name LIKE ? ESCAPE '\\' OR p.code = ?)", []any{db.LikeContains(text), text}
	}
	sub := "SELECT t.person_id FROM person_terms t WHERE t.term = ?"
	args := []any{strings.ToLower(text)}
	if pathFrom != "" {
		sub += " AND t.org_path >= ? AND t.org_path < ?"
		args = append(args, pathFrom, pathTo)
	}
	return "p.id IN (" + sub + " UNION ALL SELECT c.id FROM people c WHERE c.code = ?)", append(args, text)
}

// searchPeople answers a name or staff-number search within a path range (or everywhere) from the search index
// alone: the count (up to web.CountCap) and the page's ids come from person_terms (which carries the path and the
// name), and only the page's people are read. Pages are in (name, id) order; l.After seeks to a cursor.
func searchPeople(ctx context.Context, q db.Q, text, pathFrom string, l web.List) (web.Page[Person], error) {
	terms := "SELECT t.person_id AS id, t.name AS name FROM person_terms t WHERE t.term = ?"
	codes := "SELECT c.id AS id, c.name AS name FROM people c WHERE c.code = ?"
	args := []any{strings.ToLower(text)}
	codeArgs := []any{text}
	if pathFrom != "" {
		terms += " AND t.org_path >= ? AND t.org_path < ?"
		codes += " AND c.org_path >= ? AND c.org_path < ?"
		args = append(args, pathFrom, db.PrefixUpper(pathFrom))
		codeArgs = append(codeArgs, pathFrom, db.PrefixUpper(pathFrom))
	}
	union := terms + " UNION " + codes
	args = append(args, codeArgs...)
	var pg web.Page[Person]
	var err error
	if pg.Total, pg.Capped, err = db.CountUpTo(ctx, q, web.CountCap, "FROM ("+union+") x", args...); err != nil || pg.Total == 0 {
		return pg, err
	}
	page, pageArgs := " ORDER BY x.name, x.id LIMIT ? OFFSET ?", []any{l.PageSize + 1, l.Offset()}
	if l.After != nil {
		page, pageArgs = " WHERE (x.name, x.id) > (?, ?) ORDER BY x.name, x.id LIMIT ?", []any{l.After.Key, l.After.ID, l.PageSize + 1}
	}
	ids, err := db.Int64s(ctx, q, "SELECT x.id FROM ("+union+") x"+page, append(args, pageArgs...)...)
	if err != nil || len(ids) == 0 {
		return pg, err
	}
	more := len(ids) > l.PageSize
	if more {
		ids = ids[:l.PageSize]
	}
	if pg.Items, err = peopleByIDs(ctx, q, ids); err != nil {
		return web.Page[Person]{}, err
	}
	if more {
		last := pg.Items[len(pg.Items)-1]
		pg.Next = &web.Cursor{Key: last.Name, ID: last.ID, Rows: int64(l.Offset() + l.PageSize)}
	}
	return pg, nil
}

// peopleByIDs reads the people of a page, in the order of ids (in chunks: an export's page is large, and the
// engines bound the number of parameters of a statement).
func peopleByIDs(ctx context.Context, q db.Q, ids []int64) ([]Person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	out := make([]Person, len(ids))
	const chunk = 1000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		people, err := db.Select(ctx, q, scanPerson, "SELECT "+personCols+" FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id IN ("+db.In(len(part))+")", db.Args(part)...)
		if err != nil {
			return nil, err
		}
		for _, p := range people {
			out[at[p.ID]] = p
		}
	}
	return out, nil
}
