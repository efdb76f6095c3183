// Package usecasetest helps test area packages against the envelope without
// a database.
package usecasetest

import (
	"context"
	"testing"

	"github.com/facturo/facturo/service/usecase"
)

// Refusing returns a Store that fails t when a use case opens a transaction
// on it: a refused caller or refused input must never reach the store.
func Refusing[X any](t testing.TB) usecase.Store[X] { return refusing[X]{t} }

type refusing[X any] struct{ t testing.TB }

func (r refusing[X]) Write(context.Context, func(X) error) error {
	r.t.Helper()
	r.t.Error("a refused write opened a transaction")
	return nil
}

func (r refusing[X]) Read(context.Context, func(X) error) error {
	r.t.Helper()
	r.t.Error("a refused read opened a transaction")
	return nil
}
