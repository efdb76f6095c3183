package messages

import "fmt"

// errorTexts translates the messages of Facturo's errors (package fail):
// the English format, as the code writes it, → Spanish, Portuguese (Brazil).
// The arguments are formatted into the translation in the same order.
var errorTexts = map[string][2]string{
	"is required": {"es obligatorio", "é obrigatório"},
}

// Error writes an error message in lang: the translation of format when the
// catalog has one, else the English format, with args (fmt verbs).
func Error(lang, format string, args ...any) string {
	if i := index(lang); i > 0 {
		if tr, ok := errorTexts[format]; ok && tr[i-1] != "" {
			format = tr[i-1]
		}
	}
	return fmt.Sprintf(format, args...)
}

// ErrorFormats lists the formats the error catalog translates.
func ErrorFormats() []string {
	out := make([]string, 0, len(errorTexts))
	for f := range errorTexts {
		out = append(out, f)
	}
	return out
}
