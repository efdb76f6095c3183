package usecasetest_test

import (
	"context"
	"testing"

	"github.com/facturo/facturo/service/usecase/usecasetest"
)

// recorder is a testing.TB that records whether the test was failed.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()      {}
func (r *recorder) Error(...any) { r.failed = true }

func TestRefusingFailsOnEveryTransaction(t *testing.T) {
	t.Parallel()
	ran := false
	fn := func(int) error { ran = true; return nil }
	w := &recorder{TB: t}
	if err := usecasetest.Refusing[int](w).Write(context.Background(), fn); err != nil || !w.failed {
		t.Errorf("Write: err %v, failed %v; want the test failed", err, w.failed)
	}
	r := &recorder{TB: t}
	if err := usecasetest.Refusing[int](r).Read(context.Background(), fn); err != nil || !r.failed {
		t.Errorf("Read: err %v, failed %v; want the test failed", err, r.failed)
	}
	if ran {
		t.Error("the refused store ran the transaction's function")
	}
}
