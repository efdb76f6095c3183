package form

import (
	"net/http"
	"net/url"
	"strings"
)

// Account is the form of the account page whose save failed: the page
// shows its posted values again.
type Account struct {
	// Failed names the form whose save failed ("billing", "details",
	// "card", "funds", "recharge"); Posted holds what was typed in it.
	Failed string
	Posted url.Values
}

// PostedAccount is the form of the account page r posted, if any.
func PostedAccount(r *http.Request) Account {
	a := Account{Failed: accountForm(r)}
	if a.Failed != "" {
		a.Posted = r.PostForm
	}
	return a
}

// accountForm is the form of the account page a request posted.
func accountForm(r *http.Request) string {
	if r.Method != http.MethodPost {
		return ""
	}
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/billing"):
		return "billing"
	case strings.HasSuffix(p, "/edit"):
		return "details"
	case strings.HasSuffix(p, "/cards"):
		return "card"
	case strings.HasSuffix(p, "/wallet/funds"):
		return "funds"
	case strings.HasSuffix(p, "/wallet"):
		return "recharge"
	}
	return ""
}

// Val is the value of field name of form: what the user typed when that
// form failed, else stored.
func (a *Account) Val(form, name, stored string) string {
	if a.Failed == form && a.Posted != nil {
		return a.Posted.Get(name)
	}
	return stored
}

// Checked is whether checkbox name of form is ticked: as posted when the
// form failed, else stored.
func (a *Account) Checked(form, name string, stored bool) bool {
	if a.Failed == form && a.Posted != nil {
		return a.Posted.Get(name) != ""
	}
	return stored
}
