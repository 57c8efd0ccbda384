package httpapi

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

var errInvalidKey = apperr.New(apperr.Unauthenticated, "invalid API key")

// apiKeyPrefix starts every tenant API key.
const apiKeyPrefix = "parley_"

// keyCacheTTL is how long a verified API key is trusted without asking
// identity again. A deleted key stops at once all the same: the revocation
// list (fed by identity's api_key.revoked events) is checked on every use.
const keyCacheTTL = time.Minute

type keyCache struct {
	mu sync.Mutex
	m  map[[32]byte]cachedKey
}

type cachedKey struct {
	actor contracts.Actor
	at    time.Time
}

func (k *keyCache) get(key string) (contracts.Actor, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.m[sha256.Sum256([]byte(key))]
	return e.actor, ok && time.Since(e.at) < keyCacheTTL
}

func (k *keyCache) put(key string, a contracts.Actor) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) > 100_000 {
		k.m = map[[32]byte]cachedKey{}
	}
	k.m[sha256.Sum256([]byte(key))] = cachedKey{actor: a, at: time.Now()}
}

// requireTeam authenticates a member (access token) or a tenant's bot (API
// key) on the conversation routes.
func (a *API) requireTeam(c *gin.Context) {
	key := bearer(c)
	if !strings.HasPrefix(key, apiKeyPrefix) {
		a.requireMember(c)
		return
	}
	act, ok := a.apiKeys.get(key)
	if !ok {
		var err error
		if act, err = natsx.Call(c, a.nc, contracts.IdentityAPIKeyCheck, contracts.APIKeyCheckRequest{Key: key}); err != nil {
			if apperr.Is(err, apperr.Unauthenticated) {
				c.Header("WWW-Authenticate", `Bearer realm="parley"`)
			}
			fail(c, err) // 402 when the plan no longer includes API keys
			return
		}
		a.apiKeys.put(key, act)
	}
	act.IP = c.ClientIP()
	if a.revoked.KeyRevoked(act.ID) || a.revoked.TenantDeleted(act.TenantID) {
		c.Header("WWW-Authenticate", `Bearer realm="parley", error="invalid_token"`)
		fail(c, errInvalidKey)
		return
	}
	c.Set(actorKey, act)
	c.Next()
}

type apiKeyBody struct {
	Name string `json:"name"`
}

func (a *API) createAPIKey(c *gin.Context) {
	var b apiKeyBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityAPIKeyCreate, contracts.APIKeyCreateRequest{Principal: principal(c), Name: b.Name}, http.StatusCreated)
}

func (a *API) listAPIKeys(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityAPIKeyList, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusOK)
}

func (a *API) deleteAPIKey(c *gin.Context) {
	respond(c, a.nc, contracts.IdentityAPIKeyDelete, contracts.IDRequest{Principal: principal(c), ID: c.Param("id")}, http.StatusNoContent)
}
