package app

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

// Bot is a tenant's bot configuration, ready to use: the FAQ indexed, the
// order-number pattern compiled.
type Bot struct {
	contracts.BotConfig
	Index       *domain.FAQIndex
	OrderNumber *regexp.Regexp
}

// BotConfigs caches tenants' bots (from the tenant service); the tenant
// service's bot.changed events drop entries, and entries also expire.
type BotConfigs struct {
	Fetch func(ctx context.Context, tenantID string) (contracts.BotConfig, error)
	mu    sync.Mutex
	m     map[string]cachedBot
}

type cachedBot struct {
	bot Bot
	at  time.Time
}

// Get returns a tenant's bot.
func (b *BotConfigs) Get(ctx context.Context, tenantID string) (Bot, error) {
	b.mu.Lock()
	e, ok := b.m[tenantID]
	b.mu.Unlock()
	if ok && time.Since(e.at) < settingsTTL {
		return e.bot, nil
	}
	cfg, err := b.Fetch(ctx, tenantID)
	if err != nil {
		return Bot{}, err
	}
	bot := Bot{BotConfig: cfg, Index: domain.NewFAQIndex(cfg.FAQ.Entries)}
	if p, err := regexp.Compile(cfg.OrderStatus.NumberPattern); err == nil && cfg.OrderStatus.NumberPattern != "" {
		bot.OrderNumber = p
	}
	b.mu.Lock()
	if b.m == nil || len(b.m) > 100_000 {
		b.m = map[string]cachedBot{}
	}
	b.m[tenantID] = cachedBot{bot: bot, at: time.Now()}
	b.mu.Unlock()
	return bot, nil
}

// Forget drops a tenant's cached bot.
func (b *BotConfigs) Forget(tenantID string) {
	b.mu.Lock()
	delete(b.m, tenantID)
	b.mu.Unlock()
}

// author is how the bot signs its messages.
func (b Bot) author() contracts.Actor {
	return contracts.Actor{Type: contracts.AuthorBot, ID: "bot", Name: b.Name}
}
