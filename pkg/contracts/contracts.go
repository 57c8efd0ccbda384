package contracts

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/ids"
)

// Services that own NATS endpoints and event streams.
const (
	ServiceIdentity     = "identity"
	ServiceTenant       = "tenant"
	ServiceConversation = "conversation"
	ServiceBilling      = "billing"
)

// Services lists the services that own data; each answers Health.
var Services = []string{ServiceIdentity, ServiceTenant, ServiceConversation, ServiceBilling, ServiceNotify}

// Endpoint is a request-reply method: a subject and the Go types of its
// request and response. The types are phantom: they make natsx calls type-safe.
type Endpoint[Req, Resp any] struct {
	Service string
	Method  string
}

// Subject is "rpc.<service>.<method>".
func (e Endpoint[Req, Resp]) Subject() string { return "rpc." + e.Service + "." + e.Method }

// QueueGroup is the queue group every replica of the owning service joins.
func (e Endpoint[Req, Resp]) QueueGroup() string { return e.Service }

// Reply is the wire form of every RPC answer: exactly one of Data and Error.
type Reply struct {
	Data  json.RawMessage `json:"data,omitempty"`
	Error *apperr.Error   `json:"error,omitempty"`
}

// EventType names an event: which context publishes it, about which aggregate.
type EventType struct {
	Context   string
	Aggregate string
	Event     string
	Version   int
}

// Name is "<context>.<aggregate>.<event>", the Type in the envelope.
func (t EventType) Name() string { return t.Context + "." + t.Aggregate + "." + t.Event }

// Subject is the subject of this event for one tenant.
func (t EventType) Subject(tenantID string) string {
	return t.Context + "." + tenantID + "." + t.Aggregate + "." + t.Event
}

// AllTenants is the wildcard subject matching this event for every tenant.
func (t EventType) AllTenants() string { return t.Subject("*") }

// Stream is the JetStream stream that stores a context's events.
type Stream struct {
	Name    string
	Context string
}

// Subjects is the stream's subject filter, "<context>.>".
func (s Stream) Subjects() string { return s.Context + ".>" }

// TenantEvents is the wildcard for every event of one tenant in this context.
func (s Stream) TenantEvents(tenantID string) string { return s.Context + "." + tenantID + ".>" }

// The event streams, one per context.
var (
	IdentityStream     = Stream{Name: "IDENTITY", Context: ServiceIdentity}
	TenantStream       = Stream{Name: "TENANT", Context: ServiceTenant}
	ConversationStream = Stream{Name: "CONVERSATION", Context: ServiceConversation}
	BillingStream      = Stream{Name: "BILLING", Context: ServiceBilling}
	Streams            = []Stream{IdentityStream, TenantStream, ConversationStream, BillingStream}
)

// Envelope wraps every event. ID is also the Nats-Msg-Id, so a re-publish of
// the same event is dropped by the stream and ignored by consumers.
type Envelope struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Version       int             `json:"version"`
	TenantID      string          `json:"tenant_id"`
	OccurredAt    time.Time       `json:"occurred_at"`
	Producer      string          `json:"producer"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	Payload       json.RawMessage `json:"payload"`
}

// NewEnvelope builds the envelope of an event about tenantID.
func NewEnvelope(t EventType, tenantID, producer, correlationID string, payload any) (Envelope, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return Envelope{}, fmt.Errorf("encode %s: %w", t.Name(), err)
	}
	return Envelope{
		ID: ids.New(), Type: t.Name(), Version: t.Version, TenantID: tenantID,
		OccurredAt: time.Now().UTC(), Producer: producer, CorrelationID: correlationID, Payload: raw,
	}, nil
}

// CheckSubject verifies that the envelope's tenant is the one in the subject it
// arrived on, so one tenant's events cannot be injected under another's.
func (e Envelope) CheckSubject(subject string) error {
	parts := strings.SplitN(subject, ".", 3)
	if len(parts) < 3 || parts[1] != e.TenantID {
		return fmt.Errorf("envelope tenant %q does not match subject %q", e.TenantID, subject)
	}
	return nil
}

// Decode unmarshals the payload.
func (e Envelope) Decode(v any) error { return json.Unmarshal(e.Payload, v) }
