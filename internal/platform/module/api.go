package module

import (
	"context"
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// The typed adapters register the plain JSON routes of a module in one visible line each: the route, its
// permission, its summary, and the store function that does the work. They decode the request, take the caller's
// data scope, call the function and write the answer the way docs/api.md §HTTP conventions prescribes (lists as {"items","total"}, 201 for
// a creation, 404 outside the scope because the store function says so). The documentation of the OpenAPI
// document is filled from the types: doc.Body and doc.Response need not be given.
//
// Routes that do more than that (several reads, a file, a decision) stay ordinary web.UI.API handlers.

// List registers GET pattern answering list(ctx, db, scope, filter) as {"items":[…],"total":N}, with the filter
// parsed from the request by parse (a bad parameter is parse's 422).
func List[F, T any](d Deps, pattern, perm string, doc web.Doc, parse func(*http.Request) (F, error),
	list func(context.Context, db.Q, auth.Scope, F) ([]T, int64, error)) {
	var zero T
	doc.Response, doc.List = zero, true
	d.UI.API(pattern, perm, doc, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parse(r)
		if err != nil {
			return err
		}
		items, total, err := list(r.Context(), d.DB, auth.ScopeFrom(r.Context()), f)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
}

// Get registers GET pattern (with an {id}) answering get(ctx, db, scope, id): the object, or the 404 that get
// returns for an object outside the caller's scope.
func Get[T any](d Deps, pattern, perm string, doc web.Doc, get func(context.Context, db.Q, auth.Scope, int64) (T, error)) {
	var zero T
	doc.Response = zero
	d.UI.API(pattern, perm, doc, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := get(r.Context(), d.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, v)
	})
}

// Create registers POST pattern: the JSON body decoded into In (400 for malformed JSON, 422 for a wrong type),
// create(ctx, scope, in), and 201 with the object created.
func Create[In, T any](d Deps, pattern, perm string, doc web.Doc, create func(context.Context, auth.Scope, In) (T, error)) {
	var in0 In
	var zero T
	doc.Body, doc.Response, doc.Status = in0, zero, http.StatusCreated
	d.UI.API(pattern, perm, doc, func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		v, err := create(r.Context(), auth.ScopeFrom(r.Context()), in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusCreated, v)
	})
}

// Update registers PATCH (or PUT) pattern with an {id}: the JSON body decoded into P, update(ctx, scope, id, p),
// and 200 with the object as it is now.
func Update[P, T any](d Deps, pattern, perm string, doc web.Doc, update func(context.Context, auth.Scope, int64, P) (T, error)) {
	var p0 P
	var zero T
	doc.Body, doc.Response = p0, zero
	d.UI.API(pattern, perm, doc, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		var p P
		if err := web.DecodeJSON(r, &p); err != nil {
			return err
		}
		v, err := update(r.Context(), auth.ScopeFrom(r.Context()), id, p)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, v)
	})
}

// Delete registers DELETE pattern with an {id}: del(ctx, scope, id), and 204.
func Delete(d Deps, pattern, perm string, doc web.Doc, del func(context.Context, auth.Scope, int64) error) {
	doc.Status = http.StatusNoContent
	d.UI.API(pattern, perm, doc, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := del(r.Context(), auth.ScopeFrom(r.Context()), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// Action registers POST pattern with an {id} for a step of a record's life whose body may be empty (a comment, a
// reason): the JSON body, when there is one, decoded into In, act(ctx, scope, id, in), and 200 with the object.
func Action[In, T any](d Deps, pattern, perm string, doc web.Doc, act func(context.Context, auth.Scope, int64, In) (T, error)) {
	var in0 In
	var zero T
	doc.Body, doc.Response = in0, zero
	d.UI.API(pattern, perm, doc, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		var in In
		if r.ContentLength != 0 {
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
		}
		v, err := act(r.Context(), auth.ScopeFrom(r.Context()), id, in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, v)
	})
}
