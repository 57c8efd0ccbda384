package contracts

import (
	"strings"
	"time"
)

// WidgetSettings are how a tenant's widget looks and behaves.
type WidgetSettings struct {
	Enabled              bool   `json:"enabled"`
	Color                string `json:"color"`         // #rrggbb
	Position             string `json:"position"`      // right or left
	LauncherText         string `json:"launcher_text"` // empty: an icon-only launcher
	GreetingAnonymous    string `json:"greeting_anonymous"`
	GreetingIdentified   string `json:"greeting_identified"`    // may hold {name}
	GreetingDelaySeconds int    `json:"greeting_delay_seconds"` // -1: no greeting bubble
	Theme                string `json:"theme"`                  // auto, light or dark
	Locale               string `json:"locale"`                 // empty: the browser's
	ReplyTime            string `json:"reply_time"`             // minutes, hours or day
	RequireVerified      bool   `json:"require_verified_identity"`
	// LogoURL is the tenant's logo (LogoPath), set only by TenantLogoSet;
	// an update that sends another value is refused.
	LogoURL string `json:"logo_url,omitempty"`
}

// TimeRange is one opening span of a day, "09:00" to "17:30", local time.
type TimeRange struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Weekdays are the keys of BusinessHours.Weekly, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// BusinessHours say when the team answers. Disabled means always open.
type BusinessHours struct {
	Enabled  bool                   `json:"enabled"`
	Timezone string                 `json:"timezone"`
	Weekly   map[string][]TimeRange `json:"weekly"`
	Holidays []string               `json:"holidays"` // YYYY-MM-DD, closed all day
}

// Settings are a tenant's settings (without its identity secret).
type Settings struct {
	Widget         WidgetSettings `json:"widget"`
	AllowedDomains []string       `json:"allowed_domains"`
	BusinessHours  BusinessHours  `json:"business_hours"`
	OfflineMessage string         `json:"offline_message"`
	AgentOpenLimit int            `json:"agent_open_limit"` // open conversations per agent; 0: no limit
	// RetentionDays deletes conversations whose last activity is older; 0
	// keeps them forever (the default), else MinRetentionDays–MaxRetentionDays.
	RetentionDays int `json:"retention_days"`
	// Survey asks visitors to rate resolved conversations (on by default).
	Survey SurveySettings `json:"survey"`
	// Attachments say whether and which files visitors and agents may send.
	Attachments AttachmentSettings `json:"attachments"`
}

// Availability says whether the team is within business hours now and, if
// not, when it opens next (nil when it never does).
type Availability struct {
	Open       bool       `json:"within_business_hours"`
	NextOpenAt *time.Time `json:"next_open_at,omitempty"`
}

// At computes availability at now. A bad timezone counts as UTC.
func (h BusinessHours) At(now time.Time) Availability {
	if !h.Enabled {
		return Availability{Open: true}
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	if h.openAt(local) {
		return Availability{Open: true}
	}
	// The next opening is the start of a range within the next two weeks.
	for d := 0; d <= 14; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, loc)
		if h.holiday(day) {
			continue
		}
		for _, r := range h.Weekly[weekday(day)] {
			start, ok := clock(day, r.Open)
			if ok && start.After(local) {
				t := start.UTC()
				return Availability{NextOpenAt: &t}
			}
		}
	}
	return Availability{}
}

func (h BusinessHours) openAt(local time.Time) bool {
	if h.holiday(local) {
		return false
	}
	for _, r := range h.Weekly[weekday(local)] {
		start, ok1 := clock(local, r.Open)
		end, ok2 := clock(local, r.Close)
		if ok1 && ok2 && !local.Before(start) && local.Before(end) {
			return true
		}
	}
	return false
}

func (h BusinessHours) holiday(local time.Time) bool {
	d := local.Format(time.DateOnly)
	for _, x := range h.Holidays {
		if x == d {
			return true
		}
	}
	return false
}

func weekday(t time.Time) string { return Weekdays[(int(t.Weekday())+6)%7] }

// clock is hh:mm on t's day; "24:00" is the end of the day.
func clock(t time.Time, hhmm string) (time.Time, bool) {
	if hhmm == "24:00" {
		return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location()), true
	}
	c, err := time.Parse("15:04", hhmm)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), c.Hour(), c.Minute(), 0, 0, t.Location()), true
}

// WidgetTenant is what the gateway needs to serve a widget key: the tenant,
// its public name and its settings. Only active tenants with an enabled
// widget resolve.
type WidgetTenant struct {
	TenantID string   `json:"tenant_id"`
	Name     string   `json:"name"`
	Settings Settings `json:"settings"`
}

// WidgetKeyRequest addresses a tenant by its public widget key.
type WidgetKeyRequest struct {
	WidgetKey string `json:"widget_key"`
}

// SettingsPatch changes settings; nil sections are left alone, and a present
// section replaces the stored one whole.
type SettingsPatch struct {
	Principal      Principal           `json:"principal"`
	Widget         *WidgetSettings     `json:"widget,omitempty"`
	AllowedDomains *[]string           `json:"allowed_domains,omitempty"`
	BusinessHours  *BusinessHours      `json:"business_hours,omitempty"`
	OfflineMessage *string             `json:"offline_message,omitempty"`
	AgentOpenLimit *int                `json:"agent_open_limit,omitempty"`
	RetentionDays  *int                `json:"retention_days,omitempty"`
	Survey         *SurveySettings     `json:"survey,omitempty"`
	Attachments    *AttachmentSettings `json:"attachments,omitempty"`
}

// IdentitySecret is the key a tenant's server uses to sign user_hash.
type IdentitySecret struct {
	Secret string `json:"secret"`
}

// CannedResponse is a saved reply an agent inserts with /shortcut.
type CannedResponse struct {
	ID        string    `json:"id"`
	Shortcut  string    `json:"shortcut"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CannedResponses lists a tenant's canned responses by shortcut.
type CannedResponses struct {
	CannedResponses []CannedResponse `json:"canned_responses"`
}

// CannedWriteRequest creates (ID empty) or updates a canned response.
type CannedWriteRequest struct {
	Principal Principal `json:"principal"`
	ID        string    `json:"id,omitempty"`
	Shortcut  *string   `json:"shortcut,omitempty"`
	Body      *string   `json:"body,omitempty"`
}

// Tenant settings endpoints.
var (
	TenantSettingsGet      = Endpoint[PrincipalRequest, Settings]{ServiceTenant, "settings_get"}
	TenantSettingsUpdate   = Endpoint[SettingsPatch, Settings]{ServiceTenant, "settings_update"}
	TenantSettingsInternal = Endpoint[TenantIDRequest, Settings]{ServiceTenant, "settings_internal"}
	TenantWidgetResolve    = Endpoint[WidgetKeyRequest, WidgetTenant]{ServiceTenant, "widget_resolve"}
	TenantSecretReveal     = Endpoint[PrincipalRequest, IdentitySecret]{ServiceTenant, "secret_reveal"}
	TenantSecretRotate     = Endpoint[PrincipalRequest, IdentitySecret]{ServiceTenant, "secret_rotate"}
	TenantSecretInternal   = Endpoint[TenantIDRequest, IdentitySecret]{ServiceTenant, "secret_internal"}
	TenantCannedList       = Endpoint[PrincipalRequest, CannedResponses]{ServiceTenant, "canned_list"}
	TenantCannedWrite      = Endpoint[CannedWriteRequest, CannedResponse]{ServiceTenant, "canned_write"}
	TenantCannedDelete     = Endpoint[IDRequest, Empty]{ServiceTenant, "canned_delete"}
)

// SettingsChanged carries a tenant's settings after a change (never the secret).
type SettingsChanged struct {
	WidgetKey string   `json:"widget_key"`
	Settings  Settings `json:"settings"`
	// SecretRotated: the identity secret was rotated (identity then ends
	// every verified visitor's session).
	SecretRotated bool `json:"secret_rotated,omitempty"`
}

// TenantSettingsChanged is published after every settings change and secret rotation.
var TenantSettingsChanged = EventType{ServiceTenant, "settings", "changed", 1}

// AllowsOrigin reports whether a browser Origin ("scheme://host[:port]") may
// use the widget. An empty list allows every origin. Entries are origins as
// normalised by the tenant service: "https://example.com",
// "http://localhost:3000", or "https://*.example.com" for any subdomain. The
// comparison is exact (after lower-casing), so "example.com.evil.net" or a
// look-alike Unicode host never matches.
func (s Settings) AllowsOrigin(origin string) bool {
	if len(s.AllowedDomains) == 0 {
		return true
	}
	origin = strings.ToLower(origin)
	scheme, host, ok := strings.Cut(origin, "://")
	if !ok || host == "" {
		return false
	}
	for _, entry := range s.AllowedDomains {
		if entry == origin {
			return true
		}
		eScheme, eHost, _ := strings.Cut(entry, "://")
		if suffix, wild := strings.CutPrefix(eHost, "*."); wild && eScheme == scheme && strings.HasSuffix(host, "."+suffix) {
			return true
		}
	}
	return false
}
