// Package app holds the conversation service's use cases: visitors start
// conversations and send messages, agents list, answer, assign and resolve
// them, new conversations are routed to online agents, and everyone gets
// read receipts.
package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/egress"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Settings gives the tenant settings the service needs (a cached copy of the
// tenant service's).
type Settings interface {
	Get(ctx context.Context, tenantID string) (contracts.Settings, error)
}

// App is the conversation service's application layer.
type App struct {
	store       *store.Store
	settings    Settings
	bots        *BotConfigs
	egress      *egress.Client
	publicURL   string
	log         *slog.Logger
	now         func() time.Time
	names       *agentNames
	avatars     *agentNames // agents' photo URLs, cached like their names
	keys        fileKeys    // URL-signing keys of files
	uploads     blob.Store  // contracts.UploadBucket
	attachments blob.Store  // contracts.AttachmentBucket
	sends       *sender
	ent         Entitlements // conversation quotas; see quota.go
	objects     Objects      // export parts and import files
	holder      string       // this replica, as a lease holder
	reported    *reportSeen  // what the reports consumer need not read again
}

// Deps are what the application needs besides its store.
type Deps struct {
	Settings  Settings
	Bots      *BotConfigs
	Egress    *egress.Client // calls to tenants' servers
	PublicURL string         // for links in bot messages
	Log       *slog.Logger
	Objects   Objects // the data bucket (exports, imports)
	// Uploads and Attachments are the buckets of uploads (the gateway's) and
	// of attachments (this service's).
	Uploads, Attachments blob.Store
	// Clock is the time the service decides by (timestamps, retention); nil
	// is the wall clock. Tests move it instead of waiting days.
	Clock func() time.Time
}

// New returns the application.
func New(s *store.Store, d Deps) *App {
	a := &App{store: s, settings: d.Settings, bots: d.Bots, egress: d.Egress, publicURL: d.PublicURL, log: d.Log, now: store.Now,
		names: newAgentNames(), avatars: newAgentNames(), objects: d.Objects, uploads: d.Uploads, attachments: d.Attachments, holder: ids.New(), reported: newReportSeen()}
	if d.Clock != nil {
		a.now = func() time.Time { return d.Clock().UTC().Truncate(time.Microsecond) }
	}
	writers := 1 // SQLite has one writer anyway
	if s.Dialect() == db.Postgres {
		writers = 4
	}
	a.sends = newSender(a, writers)
	return a
}

// Run runs the group-commit writers until ctx ends.
func (a *App) Run(ctx context.Context) error { return a.sends.run(ctx) }

// view builds the agents' view of a conversation.
func view(tx *store.Tx, c store.Conversation) (contracts.Conversation, error) {
	v, _, err := tx.Visitor(c.VisitorID)
	if err != nil {
		return contracts.Conversation{}, err
	}
	names, err := tx.AgentNames(nonEmpty(c.Assignee()))
	if err != nil {
		return contracts.Conversation{}, err
	}
	out := toContract(c, v, names)
	out.Queue, err = queuePlace(tx, c)
	return out, err
}

// viewWith builds the view of a conversation whose visitor is already
// loaded, naming the assignee from the cache (the hot path of every message).
func (a *App) viewWith(tx *store.Tx, c store.Conversation, v store.Visitor) (contracts.Conversation, error) {
	names := map[string]string{}
	if id := c.Assignee(); id != "" {
		name, ok := a.names.get(c.TenantID, id)
		if !ok {
			fetched, err := tx.AgentNames([]string{id})
			if err != nil {
				return contracts.Conversation{}, err
			}
			name = fetched[id]
			a.names.remember(c.TenantID, id, name)
		}
		names[id] = name
	}
	out := toContract(c, v, names)
	var err error
	out.Queue, err = queuePlace(tx, c)
	return out, err
}

// agentNames caches agents' display names for message events; a rename
// shows up within a minute.
type agentNames struct {
	mu sync.Mutex
	m  map[string]cachedName
}

type cachedName struct {
	name string
	at   time.Time
}

func newAgentNames() *agentNames { return &agentNames{m: map[string]cachedName{}} }

func (n *agentNames) get(tenantID, agentID string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.m[tenantID+"/"+agentID]
	return e.name, ok && time.Since(e.at) < time.Minute
}

func (n *agentNames) remember(tenantID, agentID, name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) > 100_000 {
		n.m = map[string]cachedName{}
	}
	n.m[tenantID+"/"+agentID] = cachedName{name: name, at: time.Now()}
}

// views builds many conversations with two queries.
func views(tx *store.Tx, cs []store.Conversation) ([]contracts.Conversation, error) {
	var visitorIDs, agentIDs []string
	for _, c := range cs {
		visitorIDs = append(visitorIDs, c.VisitorID)
		agentIDs = append(agentIDs, nonEmpty(c.Assignee())...)
	}
	visitors, err := tx.Visitors(visitorIDs)
	if err != nil {
		return nil, err
	}
	names, err := tx.AgentNames(agentIDs)
	if err != nil {
		return nil, err
	}
	out := make([]contracts.Conversation, 0, len(cs))
	for _, c := range cs {
		v, ok := visitors[c.VisitorID]
		if !ok {
			v = store.Visitor{ID: c.VisitorID, Attributes: "{}"}
		}
		conv := toContract(c, v, names)
		if conv.Queue, err = queuePlace(tx, c); err != nil {
			return nil, err
		}
		out = append(out, conv)
	}
	return out, nil
}

func toContract(c store.Conversation, v store.Visitor, agentNames map[string]string) contracts.Conversation {
	out := contracts.Conversation{
		ID: c.ID, Status: c.Status, Handoff: c.Handoff, AssigneeID: c.Assignee(), Priority: c.Priority, Labels: c.LabelList(),
		SnoozeUntil: c.SnoozeUntil, Visitor: v.Contract(), LastSeq: c.LastSeq, UnreadCount: c.UnreadCount,
		AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq, Resolutions: c.Resolutions, Rating: c.LatestRating(),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, LastActivityAt: c.LastActivityAt,
	}
	if c.Status == contracts.StatusResolved && c.SurveyResolution > 0 && c.SurveyResolution == c.Resolutions {
		out.Survey = &contracts.SurveyPrompt{Scale: c.SurveyScale, Resolution: c.SurveyResolution}
	}
	if a := c.Assignee(); a != "" {
		out.Assignee = &contracts.Author{Type: contracts.AuthorAgent, ID: a, Name: agentNames[a]}
	}
	if c.PreviewSeq > 0 && c.PreviewAt != nil {
		out.LastMessage = &contracts.MessagePreview{
			Seq: c.PreviewSeq, Body: c.PreviewBody, CreatedAt: *c.PreviewAt,
			Author: contracts.Author{Type: contracts.AuthorType(c.PreviewAuthorType), ID: c.PreviewAuthorID, Name: c.PreviewAuthorName},
		}
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// conversationFor loads a conversation the actor may see: any of the
// tenant's for members, only their own for a visitor. Everything else —
// other tenants', other visitors', malformed ids — is NotFound.
func conversationFor(tx *store.Tx, a contracts.Actor, id string, lock bool) (store.Conversation, error) {
	if !ids.Valid(id) {
		return store.Conversation{}, apperr.NotFoundf("conversation not found")
	}
	load := tx.Conversation
	if lock {
		load = tx.LockConversation
	}
	c, err := load(id)
	if err != nil {
		return c, err
	}
	if a.Type == contracts.AuthorVisitor && c.VisitorID != a.ID {
		return store.Conversation{}, apperr.NotFoundf("conversation not found")
	}
	return c, nil
}

func requireMember(a contracts.Actor) error {
	if a.Type != contracts.AuthorAgent && a.Type != contracts.AuthorBot {
		return apperr.New(apperr.Forbidden, "only the team can do this")
	}
	return nil
}

// SettingsCache keeps tenants' settings in memory; the tenant service's
// settings.changed events drop entries (see natsapi), and entries also expire.
type SettingsCache struct {
	Fetch func(ctx context.Context, tenantID string) (contracts.Settings, error)
	mu    sync.Mutex
	m     map[string]cachedSettings
}

type cachedSettings struct {
	s  contracts.Settings
	at time.Time
}

const settingsTTL = time.Minute

// Get returns a tenant's settings.
func (c *SettingsCache) Get(ctx context.Context, tenantID string) (contracts.Settings, error) {
	c.mu.Lock()
	e, ok := c.m[tenantID]
	c.mu.Unlock()
	if ok && time.Since(e.at) < settingsTTL {
		return e.s, nil
	}
	s, err := c.Fetch(ctx, tenantID)
	if err != nil {
		return s, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedSettings{}
	}
	c.m[tenantID] = cachedSettings{s: s, at: time.Now()}
	c.mu.Unlock()
	return s, nil
}

// Forget drops a tenant's cached settings.
func (c *SettingsCache) Forget(tenantID string) {
	c.mu.Lock()
	delete(c.m, tenantID)
	c.mu.Unlock()
}
