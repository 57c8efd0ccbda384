package domain

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/publicip"
	"github.com/parley-chat/parley/pkg/validate"
)

// Limits on a bot configuration.
const (
	maxFAQEntries     = 500
	maxAlternatives   = 20
	maxServices       = 20
	maxSecretLength   = 200
	maxPatternLength  = 200
	maxTemplateLength = 1000
)

// DefaultBot is the configuration of a tenant that never saved one.
func DefaultBot() contracts.BotConfig {
	weekday := []contracts.TimeRange{{Open: "09:00", Close: "17:00"}}
	return contracts.BotConfig{
		Name: "Assistant", Skills: []string{},
		FAQ: contracts.FAQConfig{Threshold: 0.5, Entries: []contracts.FAQEntry{}},
		OrderStatus: contracts.OrderStatusConfig{NumberPattern: `^#?\d{4,10}$`,
			ReplyTemplate: "Order {{number}} is {{status}}."},
		Appointments: contracts.AppointmentsConfig{Timezone: "UTC", BufferMinutes: 0, HorizonDays: 14,
			Weekly:   map[string][]contracts.TimeRange{"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday},
			Services: []contracts.AppointmentService{}},
		AfterHours: contracts.AfterHoursConfig{Message: "Thanks for your message! Our team is away right now."},
	}
}

// CheckBot validates and normalises a bot configuration. Each skill in
// Skills must be configured enough to work; the others may be incomplete.
// Webhook addresses must be https:// unless allowHTTP (a self-hosted Parley
// whose bots may call its own network, PARLEY_BOT_ALLOW_PRIVATE_NETWORKS).
func CheckBot(c contracts.BotConfig, allowHTTP bool) (contracts.BotConfig, error) {
	var err error
	if c.Name, err = validate.Text("name", c.Name, 50, false); err != nil {
		return c, err
	}
	seen := map[string]bool{}
	for _, s := range c.Skills {
		if _, known := contracts.SkillFeatures[s]; !known || seen[s] {
			return c, apperr.InvalidField("skills", "skills are faq, order_status, appointments, after_hours and external, each at most once")
		}
		seen[s] = true
	}
	if c.Skills == nil {
		c.Skills = []string{}
	}
	if c.FAQ, err = checkFAQ(c.FAQ, seen[contracts.SkillFAQ]); err != nil {
		return c, err
	}
	if c.OrderStatus, err = checkOrderStatus(c.OrderStatus, seen[contracts.SkillOrderStatus], allowHTTP); err != nil {
		return c, err
	}
	if c.Appointments, err = checkAppointments(c.Appointments, seen[contracts.SkillAppointments]); err != nil {
		return c, err
	}
	if seen[contracts.SkillAfterHours] || c.AfterHours.Message != "" {
		if c.AfterHours.Message, err = validate.Text("after_hours.message", c.AfterHours.Message, 500, true); err != nil {
			return c, err
		}
	}
	if c.External, err = checkExternal(c.External, seen[contracts.SkillExternal], allowHTTP); err != nil {
		return c, err
	}
	if c.Enabled && len(c.Skills) == 0 {
		return c, apperr.InvalidField("skills", "an enabled bot needs at least one skill")
	}
	return c, nil
}

func checkFAQ(f contracts.FAQConfig, used bool) (contracts.FAQConfig, error) {
	if f.Threshold <= 0 || f.Threshold > 1 {
		return f, apperr.InvalidField("faq.threshold", "faq.threshold must be above 0 and at most 1")
	}
	if len(f.Entries) > maxFAQEntries {
		return f, apperr.InvalidField("faq.entries", "at most %d FAQ entries", maxFAQEntries)
	}
	if used && len(f.Entries) == 0 {
		return f, apperr.InvalidField("faq.entries", "the FAQ skill needs at least one entry")
	}
	ids_ := map[string]bool{}
	for i := range f.Entries {
		e := &f.Entries[i]
		var err error
		where := fmt.Sprintf("faq.entries[%d]", i)
		if e.Question, err = validate.Text(where+".question", e.Question, 300, false); err != nil {
			return f, err
		}
		if e.Answer, err = validate.Text(where+".answer", e.Answer, 2000, true); err != nil {
			return f, err
		}
		if len(e.Alternatives) > maxAlternatives {
			return f, apperr.InvalidField(where+".alternatives", "at most %d alternative phrasings", maxAlternatives)
		}
		alts := []string{}
		for _, a := range e.Alternatives {
			if strings.TrimSpace(a) == "" {
				continue
			}
			if a, err = validate.Text(where+".alternatives", a, 300, false); err != nil {
				return f, err
			}
			alts = append(alts, a)
		}
		e.Alternatives = alts
		if e.ID == "" || ids_[e.ID] {
			e.ID = ids.New()
		}
		ids_[e.ID] = true
	}
	if f.Entries == nil {
		f.Entries = []contracts.FAQEntry{}
	}
	return f, nil
}

func checkOrderStatus(o contracts.OrderStatusConfig, used, allowHTTP bool) (contracts.OrderStatusConfig, error) {
	if used || o.URL != "" {
		if err := checkWebhookURL("order_status.url", o.URL, allowHTTP); err != nil {
			return o, err
		}
	}
	if len(o.Secret) > maxSecretLength {
		return o, apperr.InvalidField("order_status.secret", "the secret must be at most %d characters", maxSecretLength)
	}
	if o.NumberPattern != "" || used {
		if _, err := regexp.Compile(o.NumberPattern); err != nil || o.NumberPattern == "" || len(o.NumberPattern) > maxPatternLength {
			return o, apperr.InvalidField("order_status.number_pattern", "order_status.number_pattern must be a regular expression such as ^#?\\d{5,8}$")
		}
	}
	if used || o.ReplyTemplate != "" {
		var err error
		if o.ReplyTemplate, err = validate.Text("order_status.reply_template", o.ReplyTemplate, maxTemplateLength, true); err != nil {
			return o, err
		}
	}
	return o, nil
}

func checkAppointments(a contracts.AppointmentsConfig, used bool) (contracts.AppointmentsConfig, error) {
	h, err := CheckBusinessHours(contracts.BusinessHours{Enabled: true, Timezone: a.Timezone, Weekly: a.Weekly})
	if err != nil {
		e := apperr.As(err)
		return a, apperr.InvalidField(strings.Replace(e.Field, "business_hours", "appointments", 1), "%s", e.Message)
	}
	a.Weekly = h.Weekly
	if a.BufferMinutes < 0 || a.BufferMinutes > 240 {
		return a, apperr.InvalidField("appointments.buffer_minutes", "buffer_minutes must be between 0 and 240")
	}
	if a.HorizonDays < 1 || a.HorizonDays > 365 {
		return a, apperr.InvalidField("appointments.horizon_days", "horizon_days must be between 1 and 365")
	}
	if len(a.Services) > maxServices {
		return a, apperr.InvalidField("appointments.services", "at most %d services", maxServices)
	}
	if used && (len(a.Services) == 0 || len(a.Weekly) == 0) {
		return a, apperr.InvalidField("appointments.services", "the appointments skill needs a service and some availability")
	}
	for i := range a.Services {
		s := &a.Services[i]
		where := fmt.Sprintf("appointments.services[%d]", i)
		if s.Name, err = validate.Text(where+".name", s.Name, 60, false); err != nil {
			return a, err
		}
		if s.DurationMinutes < 5 || s.DurationMinutes > 480 {
			return a, apperr.InvalidField(where+".duration_minutes", "a service lasts 5 to 480 minutes")
		}
		if s.ID == "" || slices.ContainsFunc(a.Services[:i], func(o contracts.AppointmentService) bool { return o.ID == s.ID }) {
			s.ID = ids.New()
		}
	}
	if a.Services == nil {
		a.Services = []contracts.AppointmentService{}
	}
	return a, nil
}

func checkExternal(x contracts.ExternalBotConfig, used, allowHTTP bool) (contracts.ExternalBotConfig, error) {
	if used || x.URL != "" {
		if err := checkWebhookURL("external.url", x.URL, allowHTTP); err != nil {
			return x, err
		}
	}
	if len(x.Secret) > maxSecretLength {
		return x, apperr.InvalidField("external.secret", "the secret must be at most %d characters", maxSecretLength)
	}
	return x, nil
}

// MergeSecrets keeps stored secrets that a save left empty (reads never show them).
func MergeSecrets(next, stored contracts.BotConfig) contracts.BotConfig {
	if next.OrderStatus.Secret == "" {
		next.OrderStatus.Secret = stored.OrderStatus.Secret
	}
	if next.External.Secret == "" {
		next.External.Secret = stored.External.Secret
	}
	return next
}

// RequireSecrets checks that the skills that sign their calls have a secret.
func RequireSecrets(c contracts.BotConfig) error {
	if slices.Contains(c.Skills, contracts.SkillOrderStatus) && c.OrderStatus.Secret == "" {
		return apperr.InvalidField("order_status.secret", "the order-status skill needs a signing secret")
	}
	if slices.Contains(c.Skills, contracts.SkillExternal) && c.External.Secret == "" {
		return apperr.InvalidField("external.secret", "your own bot needs a signing secret")
	}
	return nil
}

// Masked is the configuration as clients see it: secrets replaced by "set".
func Masked(c contracts.BotConfig) contracts.BotConfig {
	c.OrderStatus.SecretSet, c.OrderStatus.Secret = c.OrderStatus.Secret != "", ""
	c.External.SecretSet, c.External.Secret = c.External.Secret != "", ""
	return c
}

// checkWebhookURL accepts an absolute https:// address without credentials
// and, unless private networks are allowed (the same setting that allows
// http://), not written as a private, loopback or other internal address:
// the call would be refused anyway, so the tenant hears it when saving.
func checkWebhookURL(field, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	ok := err == nil && u.Host != "" && u.User == nil && len(raw) <= 500 &&
		(u.Scheme == "https" || u.Scheme == "http" && allowPrivate)
	if !ok {
		return apperr.InvalidField(field, "%s must be an https:// address (at most 500 characters, no user name or password)", field)
	}
	if literal, public := publicip.Host(u.Hostname()); literal && !public && !allowPrivate {
		return apperr.InvalidField(field, "%s must be a public address, not %s (a private, loopback or internal network)", field, u.Hostname())
	}
	return nil
}
