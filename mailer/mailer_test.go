package mailer_test

import (
	"strings"
	"testing"

	"github.com/facturo/facturo/mailer"
)

func TestConfigErrorsNeverShowThePassword(t *testing.T) {
	const pw = "hunter2-secret"
	for _, c := range []mailer.Config{
		{URL: "ftp://u:" + pw + "@host:25", From: "a@b.example"},
		{URL: "smtp://u:" + pw + "@host:99999", From: "a@b.example"},
		{URL: "smtp://u:" + pw + "@host:25?auth=magic", From: "a@b.example"},
		{URL: "smtp://u:" + pw + "@host:25", From: "not an address"},
		{URL: "smtp://u:" + pw + "@host:25", From: ""},
		{URL: "::not a url " + pw, From: "a@b.example"},
	} {
		_, err := mailer.New(c)
		if err == nil {
			t.Errorf("%+v accepted", c)
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("error shows the password: %v", err)
		}
	}
	m, err := mailer.New(mailer.Config{URL: "smtps://u:" + pw + "@mail.example.com", From: "Billing <billing@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.String(); strings.Contains(s, pw) || !strings.Contains(s, "mail.example.com") {
		t.Errorf("String() = %q", s)
	}
}
