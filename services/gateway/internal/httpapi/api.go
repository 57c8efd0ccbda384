package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/gateway/internal/dashboardweb"
	"github.com/parley-chat/parley/services/gateway/internal/keys"
	"github.com/parley-chat/parley/services/gateway/internal/metrics"
	"github.com/parley-chat/parley/services/gateway/internal/ratelimit"
	"github.com/parley-chat/parley/services/gateway/internal/realtime"
	"github.com/parley-chat/parley/services/gateway/internal/revocation"
	"github.com/parley-chat/parley/services/gateway/internal/widgetconf"
	"github.com/parley-chat/parley/services/gateway/internal/widgetweb"
)

// Per-IP rate limits of unauthenticated routes, per minute: auth requests
// (sign-up, login, refresh, invite acceptance), and widget sessions, which
// many visitors behind one office or mobile-carrier IP share.
const (
	AuthRateLimitPerMinute    = 120
	SessionRateLimitPerMinute = 600
)

// Deps are the parts the handlers use.
type Deps struct {
	Config      config.Config
	NATS        *nats.Conn
	Keys        *keys.Cache
	Revocations *revocation.List
	Widgets     *widgetconf.Resolver
	Hub         *realtime.Hub
	Visitors    *ratelimit.Visitors   // the limits of anonymous visitors, shared with Hub
	Objects     jetstream.ObjectStore // the data bucket: export archives, import uploads
	JS          jetstream.JetStream   // purges deleted objects' markers
	Log         *slog.Logger
	Uploads     blob.Store // contracts.UploadBucket
	// Files are the buckets whose objects the gateway serves, by name:
	// contracts.AttachmentBucket, AvatarBucket and LogoBucket.
	Files map[string]blob.Store
}

// API holds what the handlers need.
type API struct {
	cfg       config.Config
	nc        *nats.Conn
	keys      *keys.Cache
	revoked   *revocation.List
	widgets   *widgetconf.Resolver
	hub       *realtime.Hub
	objects   jetstream.ObjectStore
	uploads   blob.Store
	files     map[string]blob.Store
	js        jetstream.JetStream // purges deleted objects' markers
	log       *slog.Logger
	authRL    gin.HandlerFunc // per client IP
	sessionRL gin.HandlerFunc
	reportRL  gin.HandlerFunc
	uploadRL  gin.HandlerFunc
	visitors  *ratelimit.Visitors // conversations and messages per visitor and per IP
	apiKeys   keyCache            // verified API keys
	metrics   *metrics.Registry
	origin    string // Parley's own browser origin, from PublicURL
	proxies   []netip.Prefix
}

// New returns the gateway's HTTP handler.
func New(d Deps) (http.Handler, error) {
	cfg, log := d.Config, d.Log
	a := &API{cfg: cfg, nc: d.NATS, keys: d.Keys, revoked: d.Revocations, widgets: d.Widgets, hub: d.Hub, objects: d.Objects, js: d.JS, log: log,
		uploads: d.Uploads, files: d.Files,
		authRL: perIP(ratelimit.New(AuthRateLimitPerMinute, time.Minute)), sessionRL: perIP(ratelimit.New(SessionRateLimitPerMinute, time.Minute)),
		reportRL: perIP(ratelimit.New(ReportRateLimitPerMinute, time.Minute)), visitors: d.Visitors,
		uploadRL: perIP(ratelimit.NewBurst(UploadRateLimitPerMinute, time.Minute, UploadRateBurst)), metrics: newMetrics(d.Hub), origin: originOf(cfg.PublicURL),
		proxies: trustedNets(cfg.TrustedProxies)}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(requestID, accessLog(log, a.metrics), recovery(log))
	if strings.HasPrefix(cfg.PublicURL, "https://") {
		e.Use(strictTransport)
	}
	e.NoMethod(methodNotAllowed)
	a.routes(e)
	widgetweb.Register(e, widgetweb.Deps{Resolve: d.Widgets.Resolve, PublicURL: cfg.PublicURL, Log: log})
	dashboardweb.Register(e, dashboardweb.Deps{Log: log, APINotFound: notFound})
	return e, nil
}

func (a *API) routes(e *gin.Engine) {
	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", a.serveMetrics)
	e.GET("/.well-known/jwks.json", apiHeaders, a.jwks)
	e.POST("/webhooks/stripe", apiHeaders, deadline(a.cfg.RequestTimeout), a.stripeWebhook)

	// The page behind a survey email's links: the token is the credential.
	e.GET("/survey/:token", a.authRL, deadline(a.cfg.RequestTimeout), a.survey)
	e.POST("/survey/:token", a.authRL, deadline(a.cfg.RequestTimeout), a.survey)

	v1 := e.Group("/api/v1", apiHeaders, plainText, rideOut(a.cfg.RequestTimeout))
	public := v1.Group("", a.authRL)
	public.POST("/signup", a.signup)
	public.POST("/auth/login", a.login)
	public.POST("/auth/refresh", a.refresh)
	public.POST("/invites/:token/accept", a.acceptInvite)
	public.GET("/invites/lookup", a.lookupInvite)
	public.POST("/auth/password/forgot", a.forgotPassword)
	public.POST("/auth/password/reset", a.resetPassword)
	public.POST("/auth/email/confirm", a.confirmEmail)
	// Public: the "Forgot password?" page says when email is not set up.
	public.GET("/email/status", a.emailStatus)

	m := v1.Group("", a.requireMember)
	m.POST("/auth/logout", a.logout)
	m.GET("/me", a.me)
	m.PATCH("/me", a.updateProfile)
	m.POST("/me/password", a.changePassword)
	m.POST("/me/email", a.changeEmail)
	m.DELETE("/me/avatar", a.removeAvatar)
	m.GET("/me/notifications", a.getNotifications)
	m.PUT("/me/notifications", a.putNotifications)
	m.GET("/tenant", a.getTenant)
	m.PATCH("/tenant", requireAdmin, a.updateTenant)
	m.GET("/members", a.listMembers)
	m.PATCH("/members/:id", requireAdmin, a.updateMember)
	m.DELETE("/members/:id", requireAdmin, a.removeMember)
	m.GET("/invites", requireAdmin, a.listInvites)
	m.POST("/invites", requireAdmin, a.createInvite)
	m.DELETE("/invites/:id", requireAdmin, a.revokeInvite)

	m.GET("/billing", requireAdmin, a.billingOverview)
	m.GET("/billing/usage", requireAdmin, a.billingUsage)
	m.POST("/billing/checkout", requireOwner, a.billingCheckout)
	m.POST("/billing/portal", requireOwner, a.billingPortal)

	m.GET("/settings", requireAdmin, a.getSettings)
	m.PATCH("/settings", requireAdmin, a.updateSettings)
	m.GET("/settings/identity-secret", requireAdmin, a.revealSecret)
	m.POST("/settings/identity-secret/rotate", requireAdmin, a.rotateSecret)
	m.DELETE("/settings/logo", requireAdmin, a.removeLogo)
	m.GET("/canned-responses", a.listCanned)
	m.POST("/canned-responses", a.createCanned)
	m.PATCH("/canned-responses/:id", a.updateCanned)
	m.DELETE("/canned-responses/:id", a.deleteCanned)

	m.GET("/bot", requireAdmin, a.getBot)
	m.PUT("/bot", requireAdmin, a.saveBot)
	m.POST("/bot/faq/try", requireAdmin, a.tryFAQ)
	reports := m.Group("/reports", a.reportRL)
	reports.GET("", a.report)
	for section := range reportSections {
		reports.GET("/"+section, a.reportSection(section))
	}
	reports.POST("/rebuild", requireAdmin, a.rebuildReports)
	m.GET("/api-keys", requireAdmin, a.listAPIKeys)
	m.POST("/api-keys", requireAdmin, a.createAPIKey)
	m.DELETE("/api-keys/:id", requireAdmin, a.deleteAPIKey)

	// The business's data: exports, imports, a visitor's rights, retention,
	// closing the workspace, the audit log.
	m.POST("/exports", requireAdmin, a.createExport)
	m.GET("/exports", requireAdmin, a.listExports)
	m.GET("/exports/:id", requireAdmin, a.getExport)
	m.GET("/imports", requireOwner, a.listImports)
	m.GET("/imports/:id", requireOwner, a.getImport)
	m.GET("/visitors/:id/export", requireAdmin, a.exportVisitor)
	m.DELETE("/visitors/:id", requireAdmin, a.eraseVisitor)
	m.POST("/visitors/:id/block", a.blockVisitor)
	m.DELETE("/visitors/:id/block", a.unblockVisitor)
	m.GET("/blocked-visitors", a.blockedVisitors)
	m.GET("/retention/preview", requireAdmin, a.retentionPreview)
	m.DELETE("/tenant", requireOwner, a.deleteTenant)
	m.GET("/audit-log", requireAdmin, a.auditLog)
	// Archives move in and out streamed, bounded by PARLEY_DATA_TRANSFER_TIMEOUT
	// rather than the request timeout. The download's token is the credential.
	transfer := e.Group("/api/v1", apiHeaders, plainText)
	transfer.GET("/exports/:id/download", a.downloadExport)
	transfer.POST("/imports", a.requireMember, requireOwner, a.startImport)
	// Files in the chat, photos and logos move the same way. Downloads are
	// public: a signed URL's token is the credential, and photos and logos
	// are public under unguessable ids. Uploads are limited per client IP.
	transfer.GET("/files/:token", a.openFile)
	transfer.GET("/media/avatars/:id", a.serveMedia(contracts.AvatarBucket))
	transfer.GET("/media/logos/:id", a.serveMedia(contracts.LogoBucket))
	up := transfer.Group("", a.uploadRL)
	up.POST("/uploads", a.requireTeam, a.uploadAttachment)
	up.POST("/widget/uploads", a.requireVisitor, a.uploadAttachment)
	up.PUT("/me/avatar", a.requireMember, a.setAvatar)
	up.PUT("/settings/logo", a.requireMember, requireAdmin, a.setLogo)

	// Conversation routes: members, and the tenant's own bots with an API key.
	t := v1.Group("", a.requireTeam)
	t.GET("/conversations", a.listConversations)
	t.GET("/conversations/:id", a.getConversation)
	t.PATCH("/conversations/:id", a.updateConversation)
	t.GET("/conversations/:id/messages", a.messages)
	t.POST("/conversations/:id/messages", a.agentSend)
	t.DELETE("/conversations/:id/messages/:message_id", a.deleteMessage)
	t.GET("/conversations/:id/files/:file_id", a.getFile)
	t.GET("/uploads/policy", a.uploadPolicy)
	t.POST("/conversations/:id/read", a.read)
	t.POST("/conversations/:id/handoff", a.handoff)
	t.GET("/conversations/:id/transcript", a.transcript)
	t.GET("/visitors/:id/conversations", a.visitorConversations)
	t.GET("/bookings", a.listBookings)
	t.POST("/bookings/:id/cancel", a.cancelBooking)
	// The calendar file is linked from a chat message: its token is the credential.
	v1.GET("/bookings/:id/ics", a.bookingICS)

	// The socket authenticates itself (agents and visitors, header or query).
	v1.GET("/ws", a.websocket)

	w := v1.Group("/widget")
	w.OPTIONS("/*path", widgetPreflight)
	w.POST("/:widget_key/session", a.sessionRL, a.widgetSession)
	w.POST("/session/revoke", a.sessionRL, a.widgetRevoke)
	wv := w.Group("", a.requireVisitor)
	wv.GET("/conversations", a.widgetConversations)
	wv.POST("/conversations", a.widgetStart)
	wv.POST("/conversations/:id/messages", a.widgetSend)
	wv.GET("/conversations/:id/messages", a.messages)
	wv.DELETE("/conversations/:id/messages/:message_id", a.deleteMessage)
	wv.GET("/conversations/:id/files/:file_id", a.getFile)
	wv.GET("/uploads/policy", a.uploadPolicy)
	wv.POST("/conversations/:id/read", a.read)
	wv.PATCH("/visitor", a.widgetVisitor)
	wv.GET("/visitor/export", a.widgetExportVisitor)
	wv.DELETE("/visitor", a.widgetEraseVisitor)
	wv.POST("/conversations/:id/transcript", a.sessionRL, a.widgetTranscriptEmail)
	wv.POST("/conversations/:id/rating", a.sessionRL, a.widgetRate)

	// The List-Unsubscribe link of visitor email: the token is the credential.
	v1.GET("/email/unsubscribe", a.emailUnsubscribe)
	v1.POST("/email/unsubscribe", a.emailUnsubscribe)
}

// respond calls ep with req and writes the answer with status, or the error.
func respond[Req, Resp any](c *gin.Context, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], req Req, status int) {
	out, err := natsx.Call(c, nc, ep, req)
	if err != nil {
		fail(c, err)
		return
	}
	if status == http.StatusNoContent {
		c.Status(status)
		return
	}
	c.JSON(status, out)
}
