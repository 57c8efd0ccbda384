package domain

import "strings"

// Locales are the languages Parley's emails are written in; the first is the default.
var Locales = []string{"en", "fr", "de", "es"}

// PickLocale returns the first supported language of pref, which is a
// language tag ("fr", "de-CH") or an Accept-Language header
// ("de-CH,de;q=0.9,en;q=0.8"), in the order given; q-values are not weighed,
// browsers already list languages by preference. Nothing supported: "".
func PickLocale(pref string) string {
	for _, part := range strings.Split(pref, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range Locales {
			if base == l {
				return l
			}
		}
	}
	return ""
}

// LocaleOr is PickLocale, falling back to fallback and then to the default.
func LocaleOr(pref, fallback string) string {
	if l := PickLocale(pref); l != "" {
		return l
	}
	if l := PickLocale(fallback); l != "" {
		return l
	}
	return Locales[0]
}
