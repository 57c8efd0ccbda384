package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
)

type signupBody struct {
	BusinessName string `json:"business_name"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	Locale       string `json:"locale"`
}

func (a *API) signup(c *gin.Context) {
	var b signupBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respondTokens(a, c, contracts.IdentitySignup, contracts.SignupRequest{
		BusinessName: b.BusinessName, Name: b.Name, Email: b.Email, Password: b.Password, ClientIP: c.ClientIP(),
		Locale: localeOf(c, b.Locale),
	}, http.StatusCreated, func(r contracts.SignupResult) string { return r.RefreshToken })
}

type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (a *API) login(c *gin.Context) {
	var b loginBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	known, _ := c.Cookie(deviceCookie)
	fresh := newDeviceToken()
	c.Set(newDeviceKey, fresh)
	respondTokens(a, c, contracts.IdentityLogin, contracts.LoginRequest{
		Email: b.Email, Password: b.Password, ClientIP: c.ClientIP(), DeviceToken: known, NewDeviceToken: fresh,
	}, http.StatusOK, authRefresh)
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
}

func (a *API) refresh(c *gin.Context) {
	var b refreshBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.RefreshToken == "" && cookieMode(c) {
		if ck, err := c.Cookie(refreshCookie); err == nil {
			b.RefreshToken = ck
		}
	}
	respondTokens(a, c, contracts.IdentityRefresh, contracts.RefreshRequest{RefreshToken: b.RefreshToken}, http.StatusOK, authRefresh)
}

func authRefresh(r contracts.AuthResult) string { return r.RefreshToken }

func (a *API) logout(c *gin.Context) {
	if cookieMode(c) {
		a.setRefreshCookie(c, "", -1)
	}
	respond(c, a.nc, contracts.IdentityLogout, contracts.PrincipalRequest{Principal: principal(c)}, http.StatusNoContent)
}

// meResponse is the caller and their tenant.
type meResponse struct {
	User   contracts.User       `json:"user"`
	Tenant contracts.TenantInfo `json:"tenant"`
}

func (a *API) me(c *gin.Context) {
	req := contracts.PrincipalRequest{Principal: principal(c)}
	var (
		out       meResponse
		tenantErr error
		done      = make(chan struct{})
	)
	go func() {
		defer close(done)
		out.Tenant, tenantErr = natsx.Call(c, a.nc, contracts.TenantGet, req)
	}()
	user, err := natsx.Call(c, a.nc, contracts.IdentityMe, req)
	<-done
	if err == nil {
		err = tenantErr
	}
	if err != nil {
		fail(c, err)
		return
	}
	out.User = user
	c.JSON(http.StatusOK, out)
}

func (a *API) jwks(c *gin.Context) {
	set, err := a.keys.JWKS(c)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, set)
}

type profileBody struct {
	Name   *string `json:"name"`
	Locale *string `json:"locale"`
}

func (a *API) updateProfile(c *gin.Context) {
	var b profileBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityProfileUpdate, contracts.ProfileUpdateRequest{Principal: principal(c), Name: b.Name, Locale: b.Locale}, http.StatusOK)
}

type passwordBody struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (a *API) changePassword(c *gin.Context) {
	var b passwordBody
	if err := bind(c, &b); err != nil {
		fail(c, err)
		return
	}
	respond(c, a.nc, contracts.IdentityPasswordChange, contracts.PasswordChangeRequest{
		Principal: principal(c), CurrentPassword: b.CurrentPassword, NewPassword: b.NewPassword,
	}, http.StatusNoContent)
}

// localeOf is the language a member chose in the dashboard, else the
// browser's Accept-Language; identity keeps the first one it supports.
func localeOf(c *gin.Context, chosen string) string {
	if chosen != "" {
		return chosen
	}
	return c.GetHeader("Accept-Language")
}

// newDeviceToken is a fresh device cookie value: 32 random bytes.
func newDeviceToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
