package domain

import (
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/validate"
)

// DefaultSettings are a new tenant's settings: a blue widget on the right,
// always open, no limit on open conversations per agent.
func DefaultSettings() contracts.Settings {
	weekday := []contracts.TimeRange{{Open: "09:00", Close: "17:00"}}
	return contracts.Settings{
		Widget: contracts.WidgetSettings{
			Enabled: true, Color: "#2563eb", Position: "right",
			GreetingAnonymous:    "Hi there! Questions? We're here to help.",
			GreetingIdentified:   "Hi {name}! How can we help today?",
			GreetingDelaySeconds: 5, Theme: "auto", ReplyTime: "minutes",
		},
		AllowedDomains: []string{},
		BusinessHours: contracts.BusinessHours{
			Timezone: "UTC", Holidays: []string{},
			Weekly: map[string][]contracts.TimeRange{"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday},
		},
		OfflineMessage: "We're away right now. Leave your email and we'll get back to you.",
		Survey:         contracts.DefaultSurvey,
		Attachments:    contracts.DefaultAttachments(),
	}
}

// NewIdentitySecret returns a fresh secret for signing user_hash values.
func NewIdentitySecret() string { return randomHex(32) }

var color = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// CheckWidget validates and normalises widget settings.
func CheckWidget(w contracts.WidgetSettings) (contracts.WidgetSettings, error) {
	if !color.MatchString(w.Color) {
		return w, apperr.InvalidField("widget.color", "color must be a hex colour like #2563eb")
	}
	w.Color = strings.ToLower(w.Color)
	if w.Position != "right" && w.Position != "left" {
		return w, apperr.InvalidField("widget.position", `position must be "right" or "left"`)
	}
	var err error
	if w.LauncherText, err = optionalText("widget.launcher_text", w.LauncherText, 40); err != nil {
		return w, err
	}
	if w.GreetingAnonymous, err = optionalText("widget.greeting_anonymous", w.GreetingAnonymous, 200); err != nil {
		return w, err
	}
	if w.GreetingIdentified, err = optionalText("widget.greeting_identified", w.GreetingIdentified, 200); err != nil {
		return w, err
	}
	if w.GreetingDelaySeconds < -1 || w.GreetingDelaySeconds > 600 {
		return w, apperr.InvalidField("widget.greeting_delay_seconds", "greeting_delay_seconds must be between -1 (never) and 600")
	}
	if !slices.Contains([]string{"auto", "light", "dark"}, w.Theme) {
		return w, apperr.InvalidField("widget.theme", `theme must be "auto", "light" or "dark"`)
	}
	if !slices.Contains([]string{"", "en", "fr", "de", "es"}, w.Locale) {
		return w, apperr.InvalidField("widget.locale", `locale must be empty (the visitor's browser) or one of en, fr, de, es`)
	}
	if !slices.Contains([]string{"minutes", "hours", "day"}, w.ReplyTime) {
		return w, apperr.InvalidField("widget.reply_time", `reply_time must be "minutes", "hours" or "day"`)
	}
	return w, nil
}

// KeepLogo is the logo URL a widget update leaves in place: only an
// uploaded logo (TenantLogoSet) sets it, so an update may repeat the
// stored URL or leave it out (a client that knows nothing of logos keeps
// the logo) but not send another one.
func KeepLogo(stored, sent string) (string, error) {
	if sent != "" && sent != stored {
		return stored, apperr.InvalidField("widget.logo_url", "logo_url is set by uploading a logo (PUT /api/v1/settings/logo) and removed with DELETE; send the current value or none")
	}
	return stored, nil
}

func optionalText(field, s string, max int) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return validate.Text(field, s, max, false)
}

// MaxAllowedDomains bounds the allowed-domains list, in hosts (a bare host
// stands for two origins).
const MaxAllowedDomains = 50

// CheckAllowedDomains normalises each entry to the origins it means: a bare
// "example.com" is both http://example.com and https://example.com (what an
// admin who types a domain means), a scheme given is kept as the only one, a
// port is kept, Unicode hosts become punycode, and "*.example.com" allows
// subdomains.
func CheckAllowedDomains(in []string) ([]string, error) {
	if len(in) > 2*MaxAllowedDomains {
		return nil, apperr.InvalidField("allowed_domains", "at most %d allowed domains", MaxAllowedDomains)
	}
	out := []string{}
	hosts := map[string]bool{}
	for _, raw := range in {
		s := strings.ToLower(strings.TrimSpace(raw))
		schemes := []string{""}
		if !strings.Contains(s, "://") {
			schemes = []string{"http://", "https://"}
		}
		for _, scheme := range schemes {
			o, ok := normaliseOrigin(scheme + s)
			if !ok {
				return nil, apperr.InvalidField("allowed_domains", "%q is not a domain or origin such as example.com or https://shop.example.com", raw)
			}
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
			_, host, _ := strings.Cut(o, "://")
			hosts[host] = true
		}
	}
	if len(hosts) > MaxAllowedDomains {
		return nil, apperr.InvalidField("allowed_domains", "at most %d allowed domains", MaxAllowedDomains)
	}
	return out, nil
}

// normaliseOrigin checks and normalises one http(s) origin.
func normaliseOrigin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	host, port := u.Hostname(), u.Port()
	wild := strings.HasPrefix(host, "*.")
	host = strings.TrimPrefix(host, "*.")
	if ip, err := netip.ParseAddr(host); err != nil {
		// A host must be valid UTF-8 (url.Parse decodes %80 into a lone
		// byte) and read back as itself: otherwise a saved origin would
		// be refused the next time the list is saved.
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil || !utf8.ValidString(host) || !strings.Contains(ascii, ".") && ascii != "localhost" {
			return "", false
		}
		if again, err := idna.Lookup.ToASCII(ascii); err != nil || again != ascii {
			return "", false
		}
		host = ascii
	} else if wild || ip.Zone() != "" {
		return "", false
	} else if host = ip.String(); ip.Is6() {
		// An origin writes an IPv6 host in brackets (and in one canonical
		// form); without them "http://::1:8080" means nothing.
		host = "[" + host + "]"
	}
	if wild {
		host = "*." + host
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", false
		}
		host += ":" + port
	}
	return u.Scheme + "://" + host, true
}

// CheckBusinessHours validates a schedule.
func CheckBusinessHours(h contracts.BusinessHours) (contracts.BusinessHours, error) {
	if _, err := time.LoadLocation(h.Timezone); err != nil || h.Timezone == "" || h.Timezone == "Local" {
		return h, apperr.InvalidField("business_hours.timezone", "timezone must be an IANA name such as Europe/Paris")
	}
	weekly := map[string][]contracts.TimeRange{}
	for day, ranges := range h.Weekly {
		if !slices.Contains(contracts.Weekdays, day) {
			return h, apperr.InvalidField("business_hours.weekly", "unknown day %q: use mon, tue, wed, thu, fri, sat, sun", day)
		}
		if len(ranges) > 4 {
			return h, apperr.InvalidField("business_hours.weekly", "at most 4 opening spans per day")
		}
		for _, r := range ranges {
			open, ok1 := minutes(r.Open)
			closeAt, ok2 := minutes(r.Close)
			if !ok1 || !ok2 || open >= closeAt {
				return h, apperr.InvalidField("business_hours.weekly", "%s: %s–%s is not a span like 09:00–17:30", day, r.Open, r.Close)
			}
		}
		if len(ranges) > 0 {
			weekly[day] = ranges
		}
	}
	h.Weekly = weekly
	if len(h.Holidays) > 100 {
		return h, apperr.InvalidField("business_hours.holidays", "at most 100 holidays")
	}
	for _, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return h, apperr.InvalidField("business_hours.holidays", "%q is not a date like 2026-12-25", d)
		}
	}
	if h.Holidays == nil {
		h.Holidays = []string{}
	}
	return h, nil
}

func minutes(hhmm string) (int, bool) {
	if hhmm == "24:00" {
		return 24 * 60, true
	}
	t, err := time.Parse("15:04", hhmm)
	if err != nil || len(hhmm) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// CheckOfflineMessage validates the away message.
func CheckOfflineMessage(s string) (string, error) {
	return validate.Text("offline_message", s, 500, true)
}

// CheckAgentOpenLimit validates the per-agent limit (0: none).
func CheckAgentOpenLimit(n int) error {
	if n < 0 || n > 1000 {
		return apperr.InvalidField("agent_open_limit", "agent_open_limit must be between 0 (no limit) and 1000")
	}
	return nil
}

var shortcut = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// CheckCanned validates a canned response's shortcut and body.
func CheckCanned(short, body string) (string, string, error) {
	short = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(short), "/"))
	if !shortcut.MatchString(short) {
		return "", "", apperr.InvalidField("shortcut", "shortcut must be 1–32 letters, digits, - or _")
	}
	body, err := validate.Text("body", body, contracts.MaxBodyLength, true)
	return short, body, err
}

// CheckSurvey validates the satisfaction survey's settings.
func CheckSurvey(s contracts.SurveySettings) error {
	if s.Scale != contracts.ScaleFive && s.Scale != contracts.ScaleThumbs {
		return apperr.InvalidField("survey.scale", `survey.scale must be "five" or "thumbs"`)
	}
	return nil
}

// CheckRetentionDays accepts 0 (keep forever) or a number of days between
// contracts.MinRetentionDays and contracts.MaxRetentionDays.
func CheckRetentionDays(n int) error {
	if n != 0 && (n < contracts.MinRetentionDays || n > contracts.MaxRetentionDays) {
		return apperr.InvalidField("retention_days", "retention_days must be 0 (keep forever) or between %d and %d days",
			contracts.MinRetentionDays, contracts.MaxRetentionDays)
	}
	return nil
}

// CheckAttachments validates which files the chat accepts. Kinds is never
// nil once stored, so that "no kind" does not read back as the defaults.
func CheckAttachments(a contracts.AttachmentSettings) (contracts.AttachmentSettings, error) {
	kinds := make([]string, 0, len(a.Kinds))
	for _, k := range a.Kinds {
		if !slices.Contains(contracts.FileKinds, k) {
			return a, apperr.InvalidField("attachments.kinds", "attachments.kinds: unknown kind %q (one of %s)", k, strings.Join(contracts.FileKinds, ", "))
		}
		if slices.Contains(kinds, k) {
			return a, apperr.InvalidField("attachments.kinds", "attachments.kinds: %q is listed twice", k)
		}
		kinds = append(kinds, k)
	}
	a.Kinds = kinds
	return a, nil
}
