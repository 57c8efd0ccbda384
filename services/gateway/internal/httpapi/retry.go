package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/natsx"
)

// RideOutWindow is how long a call keeps trying a service that is not
// answering (a replica restarting, NATS or the database failing over)
// before the gateway answers 503 with Retry-After.
const RideOutWindow = 5 * time.Second

// rideOut bounds each NATS request of the handler by attempt (the request
// timeout) and lets the handler's calls ride out a short outage: a request no
// replica received is sent again for up to RideOutWindow, and so is a timed-out
// one when the call is idempotent (GET and HEAD here; message sends mark
// themselves, their client_msg_id makes a repeat harmless).
func rideOut(attempt time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), attempt+RideOutWindow)
		defer cancel()
		ctx = natsx.WithRetry(ctx, natsx.Retry{Window: RideOutWindow, Attempt: attempt})
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
			ctx = natsx.Repeatable(ctx)
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// repeatable is c's context for a call that is safe to send twice.
func repeatable(c *gin.Context) context.Context { return natsx.Repeatable(c) }
