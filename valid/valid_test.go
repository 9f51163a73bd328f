package valid

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCarriesKey(t *testing.T) {
	errTaken := NewError("users: login already taken", "user.login_taken")
	errOther := NewError("users: not found", "error.not_found")
	wrapped := fmt.Errorf("user add: %w", errTaken)
	if !errors.Is(wrapped, errTaken) || errors.Is(wrapped, errOther) {
		t.Fatal("errors.Is must tell sentinel errors apart")
	}
	if wrapped.Error() != "user add: users: login already taken" {
		t.Errorf("text %q: the log keeps the text", wrapped.Error())
	}
	for _, tt := range []struct {
		err  error
		key  string
		want bool
	}{
		{errTaken, "user.login_taken", true},
		{wrapped, "user.login_taken", true},
		{fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", errOther)), "error.not_found", true},
		{errors.New("plain"), "", false},
		{nil, "", false},
		{Errors{"login": "user.login_invalid"}, "", false}, // field errors name a key per field, not one
	} {
		if key, ok := KeyOf(tt.err); key != tt.key || ok != tt.want {
			t.Errorf("KeyOf(%v) = %q, %v; want %q, %v", tt.err, key, ok, tt.key, tt.want)
		}
	}
}
