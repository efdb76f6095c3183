package web

import (
	"strings"

	"github.com/facturo/facturo/messages"
)

// T returns the message for key in lang from the one catalog (package
// messages): English when the language is unknown, the key when the
// catalog lacks it.
func T(lang, key string) string { return messages.Text(lang, key) }

// Tf formats the message for key with args.
func Tf(lang, key string, args ...any) string { return messages.Format(lang, key, args...) }

func hasMessage(key string) bool {
	return messages.Has("flash."+key) && !strings.ContainsAny(key, "<>\"'")
}
