package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
)

// store opens one of the file buckets, as its owner would.
func (h *harness) store(bucket string) blob.Store {
	h.t.Helper()
	ttl := time.Duration(0)
	if bucket == contracts.UploadBucket {
		ttl = contracts.UploadTTL
	}
	s, err := blob.OpenObjectStore(context.Background(), h.js, bucket, ttl)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// uploadsLeft counts the objects in the upload bucket.
func (h *harness) uploadsLeft() int {
	h.t.Helper()
	obs, err := h.js.ObjectStore(context.Background(), contracts.UploadBucket)
	if err != nil {
		h.t.Fatal(err)
	}
	list, err := obs.List(context.Background())
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return len(list)
}

// filePart is a multipart body with one file part.
func filePart(t *testing.T, field, name string, data []byte) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	f, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(data)
	_ = w.Close()
	return &b, w.FormDataContentType()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// conversationFiles stands in for the conversation service's upload
// endpoints: a policy the test sets and an accept that takes the upload
// out of the bucket, as the real one does.
type conversationFiles struct {
	mu       sync.Mutex
	policy   contracts.UploadPolicy
	refuse   error
	accepted map[string][]byte // by upload id
	last     contracts.UploadAcceptRequest
}

func (f *conversationFiles) set(fn func(*conversationFiles)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func serveConversationFiles(h *harness) *conversationFiles {
	uploads := h.store(contracts.UploadBucket)
	f := &conversationFiles{policy: contracts.UploadPolicy{Enabled: true, MaxFileBytes: 64 << 10, Kinds: contracts.DefaultAttachments().Kinds}, accepted: map[string][]byte{}}
	serve(h, contracts.ConversationUploadPolicy, func(contracts.UploadPolicyRequest) (contracts.UploadPolicy, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.policy, nil
	})
	serve(h, contracts.ConversationUploadAccept, func(r contracts.UploadAcceptRequest) (contracts.Attachment, error) {
		f.mu.Lock()
		refuse := f.refuse
		f.mu.Unlock()
		if refuse != nil {
			return contracts.Attachment{}, refuse
		}
		ctx := context.Background()
		rc, _, err := uploads.Get(ctx, r.Object)
		if err != nil {
			return contracts.Attachment{}, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return contracts.Attachment{}, err
		}
		if err := uploads.Delete(ctx, r.Object); err != nil {
			return contracts.Attachment{}, err
		}
		f.mu.Lock()
		f.accepted[r.UploadID], f.last = data, r
		f.mu.Unlock()
		exp := time.Now().Add(15 * time.Minute).UTC()
		return contracts.Attachment{ID: r.UploadID, Name: r.Name, ContentType: "application/pdf", Size: int64(len(data)),
			Kind: contracts.FileKindDocument, URL: "/api/v1/files/t0k3n", ExpiresAt: &exp, CreatedAt: time.Now().UTC()}, nil
	})
	return f
}

// An upload is streamed into the upload bucket under the caller's tenant and
// handed to the conversation service, within the plan's limit to the byte;
// whatever is refused leaves nothing behind.
func TestAttachmentUploads(t *testing.T) {
	h := newHarness(t, nil)
	tenant, visitorID := ids.New(), ids.New()
	agent, vtok := h.member(tenant, contracts.RoleAgent), h.visitorToken(tenant, visitorID)
	files := serveConversationFiles(h)
	const max = 64 << 10

	doc := randomBytes(max)
	body, ct := filePart(t, "file", "Rechnung März.pdf", doc)
	r := h.do("POST", "/api/v1/widget/uploads", vtok, body, ct)
	expect(t, "visitor upload of exactly the limit", r, http.StatusCreated)
	var att contracts.Attachment
	if err := json.Unmarshal(r.body, &att); err != nil {
		t.Fatal(err)
	}
	files.mu.Lock()
	got, req := files.accepted[att.ID], files.last
	files.mu.Unlock()
	if !bytes.Equal(got, doc) || req.Size != max || req.Name != "Rechnung März.pdf" || req.Object != contracts.UploadObject(tenant, req.UploadID) {
		t.Fatalf("accept got %d bytes, request %+v", len(got), req)
	}
	if req.Actor.Type != contracts.AuthorVisitor || req.Actor.ID != visitorID || req.Actor.TenantID != tenant {
		t.Fatalf("actor %+v", req.Actor)
	}
	body, ct = filePart(t, "file", "notes.txt", []byte("hello"))
	expect(t, "agent upload", h.do("POST", "/api/v1/uploads", agent.token, body, ct), http.StatusCreated)
	if a := files.last.Actor; a.Type != contracts.AuthorAgent || a.ID != agent.UserID {
		t.Fatalf("agent actor %+v", a)
	}
	expect(t, "policy", h.do("GET", "/api/v1/widget/uploads/policy", vtok, nil, ""), http.StatusOK)
	expect(t, "team policy", h.do("GET", "/api/v1/uploads/policy", agent.token, nil, ""), http.StatusOK)

	body, ct = filePart(t, "file", "big.bin", randomBytes(max+1))
	expect(t, "one byte over", h.do("POST", "/api/v1/widget/uploads", vtok, body, ct), http.StatusRequestEntityTooLarge, "too_large", "file")
	body, ct = filePart(t, "file", "empty.txt", nil)
	expect(t, "empty file", h.do("POST", "/api/v1/widget/uploads", vtok, body, ct), http.StatusBadRequest, "invalid", "file")
	body, ct = filePart(t, "document", "a.txt", []byte("x"))
	expect(t, "no part named file", h.do("POST", "/api/v1/widget/uploads", vtok, body, ct), http.StatusBadRequest, "invalid", "file")
	expect(t, "not multipart", h.do("POST", "/api/v1/widget/uploads", vtok, map[string]string{"file": "x"}, ""), http.StatusUnsupportedMediaType, "unsupported_media", "file")
	expect(t, "no token", h.do("POST", "/api/v1/uploads", "", nil, ""), http.StatusUnauthorized)

	// The owner refuses (a kind the tenant does not take): the upload goes.
	refused := apperr.New(apperr.UnsupportedMedia, "this workspace does not take archives")
	refused.Field = "file"
	files.set(func(f *conversationFiles) { f.refuse = refused })
	body, ct = filePart(t, "file", "a.zip", []byte("PK\x03\x04 not really"))
	expect(t, "refused kind", h.do("POST", "/api/v1/widget/uploads", vtok, body, ct), http.StatusUnsupportedMediaType, "unsupported_media", "file")
	if n := h.uploadsLeft(); n != 0 {
		t.Fatalf("%d uploads left in the bucket", n)
	}
	files.set(func(f *conversationFiles) { f.refuse, f.policy.Enabled = nil, false })
	body, ct = filePart(t, "file", "a.txt", []byte("x"))
	expect(t, "files off", h.do("POST", "/api/v1/widget/uploads", vtok, body, ct), http.StatusForbidden, "forbidden")
	files.set(func(f *conversationFiles) { f.policy.Enabled, f.policy.StorageFull = true, true })
	body, ct = filePart(t, "file", "a.txt", []byte("x"))
	expect(t, "storage full", h.do("POST", "/api/v1/uploads", agent.token, body, ct), http.StatusRequestEntityTooLarge, "too_large", "file")
}

// A Content-Length over the limit is answered before the body is read: the
// client gets its 413 while the rest of its body has not even been written.
func TestUploadOverTheLimitIsRefusedBeforeReading(t *testing.T) {
	h := newHarness(t, nil)
	tenant := ids.New()
	serveConversationFiles(h)
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		_, _ = pw.Write([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"))
	}()
	req, err := http.NewRequest("POST", h.base+"/api/v1/widget/uploads", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 1 << 30
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Authorization", "Bearer "+h.visitorToken(tenant, ids.New()))
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", res.StatusCode)
	}
}

// Uploads are limited per client IP (a burst, then 30 a minute); another IP
// is not held back.
func TestUploadsAreLimitedPerIP(t *testing.T) {
	h := newHarness(t, nil)
	tenant := ids.New()
	vtok := h.visitorToken(tenant, ids.New())
	serveConversationFiles(h)
	up := func(ip string) response {
		body, ct := filePart(t, "file", "a.txt", []byte("x"))
		return h.do("POST", "/api/v1/widget/uploads", vtok, body, ct, "X-Forwarded-For", ip)
	}
	for i := range 10 {
		expect(t, fmt.Sprint("upload ", i), up("198.51.100.7"), http.StatusCreated)
	}
	// Tokens come back at one per 2 s: a slow run earns a few more.
	for i := 0; ; i++ {
		r := up("198.51.100.7")
		if r.status == http.StatusTooManyRequests {
			if r.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			break
		}
		if i == 5 {
			t.Fatalf("no 429 after %d uploads: %d", 11+i, r.status)
		}
	}
	expect(t, "another IP", up("198.51.100.8"), http.StatusCreated)
}

// A signed URL streams the file with headers that keep any content from
// running in Parley's origin; the conversation service decides which file,
// and whether the token is good.
func TestSignedFileDownloads(t *testing.T) {
	h := newHarness(t, nil)
	tenant := ids.New()
	files := h.store(contracts.AttachmentBucket)
	ctx := context.Background()
	html := []byte("<!doctype html><html><script>alert(document.cookie)</script></html>")
	pdf := append([]byte("%PDF-1.7\n"), randomBytes(300<<10)...)
	for name, data := range map[string][]byte{tenant + "/html": html, tenant + "/pdf": pdf} {
		if _, err := files.Put(ctx, name, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	expires := time.Now().Add(10 * time.Minute)
	serve(h, contracts.ConversationFileOpen, func(r contracts.FileOpenRequest) (contracts.FileOpen, error) {
		f := contracts.FileOpen{TenantID: tenant, Bucket: contracts.AttachmentBucket, ExpiresAt: expires}
		switch r.Token {
		case "html":
			f.Object, f.Name, f.ContentType = tenant+"/html", "invoice.png", "text/html; charset=utf-8"
		case "pdf":
			f.Object, f.Name, f.ContentType, f.Inline = tenant+"/pdf", "Überweisung 2026 \"final\".pdf", "application/pdf", true
		case "deleted":
			f.Object, f.Name, f.ContentType = tenant+"/gone", "a.txt", "text/plain"
		case "elsewhere":
			f.Bucket, f.Object, f.Name, f.ContentType = contracts.DataBucket, tenant+"/html", "a", "text/plain"
		case "expired":
			return f, apperr.New(apperr.Gone, "this link has expired")
		default:
			return f, apperr.NotFoundf("no such file")
		}
		return f, nil
	})
	maxAge := regexp.MustCompile(`^private, max-age=(599|600)$`)
	check := func(token string, want []byte, typ, disposition string) {
		t.Helper()
		r := h.do("GET", "/api/v1/files/"+token, "", nil, "")
		expect(t, token, r, http.StatusOK)
		for k, v := range map[string]string{
			"Content-Type": typ, "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
			"Content-Security-Policy": "default-src 'none'; sandbox", "Cross-Origin-Resource-Policy": "cross-origin",
			"Content-Length": fmt.Sprint(len(want)),
		} {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", token, k, got, v)
			}
		}
		if cc := r.header.Get("Cache-Control"); !maxAge.MatchString(cc) {
			t.Errorf("%s: Cache-Control %q", token, cc)
		}
		if !bytes.Equal(r.body, want) {
			t.Errorf("%s: got %d bytes, want %d", token, len(r.body), len(want))
		}
	}
	check("html", html, "text/html; charset=utf-8", "attachment; filename*=UTF-8''invoice.png")
	check("pdf", pdf, "application/pdf", "inline; filename*=UTF-8''%C3%9Cberweisung%202026%20%22final%22.pdf")
	expect(t, "expired", h.do("GET", "/api/v1/files/expired", "", nil, ""), http.StatusGone, "gone")
	for _, token := range []string{"forged", "deleted", "elsewhere"} {
		expect(t, token, h.do("GET", "/api/v1/files/"+token, "", nil, ""), http.StatusNotFound, "not_found")
	}
}

// Photos and logos: uploaded within 5 MB, handed to their owners, served
// publicly for good under their ids.
func TestAvatarsAndLogos(t *testing.T) {
	h := newHarness(t, nil)
	tenant := ids.New()
	agent, admin := h.member(tenant, contracts.RoleAgent), h.member(tenant, contracts.RoleAdmin)
	uploads, avatars := h.store(contracts.UploadBucket), h.store(contracts.AvatarBucket)
	png := append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(2000)...)
	serve(h, contracts.IdentityAvatarSet, func(r contracts.AvatarRequest) (contracts.User, error) {
		u := contracts.User{ID: r.Principal.UserID, TenantID: r.Principal.TenantID, Name: "Ada", Email: "ada@example.com", Role: r.Principal.Role, CreatedAt: time.Now().UTC()}
		if r.UploadID == "" {
			return u, nil
		}
		ctx := context.Background()
		rc, _, err := uploads.Get(ctx, r.Object)
		if err != nil {
			return u, err
		}
		defer rc.Close()
		id := ids.New()
		if _, err := avatars.Put(ctx, id, rc); err != nil {
			return u, err
		}
		u.AvatarURL = contracts.AvatarPath(id)
		return u, uploads.Delete(ctx, r.Object)
	})
	serve(h, contracts.TenantLogoSet, func(r contracts.LogoRequest) (contracts.Settings, error) {
		e := apperr.New(apperr.UnsupportedMedia, "the logo must be a PNG, JPEG, GIF or WebP image")
		e.Field = "file"
		return contracts.Settings{}, e
	})

	body, ct := filePart(t, "file", "me.png", png)
	r := h.do("PUT", "/api/v1/me/avatar", agent.token, body, ct)
	expect(t, "set avatar", r, http.StatusOK)
	var u contracts.User
	_ = json.Unmarshal(r.body, &u)
	if u.AvatarURL == "" || h.uploadsLeft() != 0 {
		t.Fatalf("avatar %q, %d uploads left", u.AvatarURL, h.uploadsLeft())
	}
	r = h.do("GET", u.AvatarURL, "", nil, "")
	expect(t, "get avatar", r, http.StatusOK)
	if !bytes.Equal(r.body, png) || r.header.Get("Content-Type") != "image/png" || r.header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		r.header.Get("Content-Security-Policy") != "default-src 'none'; sandbox" || r.header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Fatalf("avatar served as %v", r.header)
	}
	expect(t, "remove avatar", h.do("DELETE", "/api/v1/me/avatar", agent.token, nil, ""), http.StatusOK)
	if req := h.log.last("identity.avatar_set").(contracts.AvatarRequest); req.UploadID != "" || req.Principal.UserID != agent.UserID {
		t.Fatalf("remove sent %+v", req)
	}
	body, ct = filePart(t, "file", "huge.png", randomBytes(5<<20+1))
	expect(t, "avatar over 5 MB", h.do("PUT", "/api/v1/me/avatar", agent.token, body, ct), http.StatusRequestEntityTooLarge, "too_large", "file")
	for _, path := range []string{"/api/v1/media/avatars/" + ids.New(), "/api/v1/media/logos/" + ids.New(), "/api/v1/media/avatars/a.b"} {
		expect(t, path, h.do("GET", path, "", nil, ""), http.StatusNotFound, "not_found")
	}

	body, ct = filePart(t, "file", "logo.png", png)
	expect(t, "agent sets the logo", h.do("PUT", "/api/v1/settings/logo", agent.token, body, ct), http.StatusForbidden, "forbidden")
	expect(t, "agent removes the logo", h.do("DELETE", "/api/v1/settings/logo", agent.token, nil, ""), http.StatusForbidden, "forbidden")
	body, ct = filePart(t, "file", "logo.svg", []byte("<svg onload=alert(1)>"))
	expect(t, "not an image", h.do("PUT", "/api/v1/settings/logo", admin.token, body, ct), http.StatusUnsupportedMediaType, "unsupported_media", "file")
	if n := h.uploadsLeft(); n != 0 {
		t.Fatalf("the refused logo left %d uploads", n)
	}
}

// Sends pass the files on, with or without a body; rich messages take none.
func TestSendsCarryAttachments(t *testing.T) {
	h := newHarness(t, nil)
	tenant, visitorID, conv := ids.New(), ids.New(), ids.New()
	agent, vtok := h.member(tenant, contracts.RoleAgent), h.visitorToken(tenant, visitorID)
	message := func(a contracts.Actor, body string, files []string) contracts.Message {
		m := contracts.Message{ID: ids.New(), ConversationID: conv, Seq: 1, Author: contracts.Author{Type: a.Type, ID: a.ID}, Body: body, Kind: contracts.KindText, CreatedAt: time.Now().UTC()}
		for _, id := range files {
			m.Attachments = append(m.Attachments, contracts.Attachment{ID: id, Name: "a.pdf", ContentType: "application/pdf", Size: 1, Kind: contracts.FileKindDocument, CreatedAt: time.Now().UTC()})
		}
		return m
	}
	serve(h, contracts.ConversationSend, func(r contracts.SendRequest) (contracts.SendResult, error) {
		return contracts.SendResult{Message: message(r.Actor, r.Body, r.Attachments)}, nil
	})
	serve(h, contracts.ConversationStart, func(r contracts.StartRequest) (contracts.SendResult, error) {
		return contracts.SendResult{
			Conversation: contracts.Conversation{ID: conv, Status: contracts.StatusOpen, Handoff: contracts.HandoffAgent, Visitor: contracts.Visitor{ID: visitorID}, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC(), LastActivityAt: time.Now().UTC()},
			Message:      message(r.Actor, r.Body, r.Attachments),
		}, nil
	})
	serveQuietly(h, contracts.ConversationListOwn, func(contracts.ConversationRequest) (contracts.VisitorConversations, error) {
		return contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{}}, nil
	})
	fileIDs := []string{ids.New(), ids.New()}

	expect(t, "visitor sends files only", h.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", vtok,
		map[string]any{"body": "", "client_msg_id": "m-1", "attachments": fileIDs}, ""), http.StatusCreated)
	if got := h.log.last("conversation.send").(contracts.SendRequest).Attachments; fmt.Sprint(got) != fmt.Sprint(fileIDs) {
		t.Fatalf("send carried %v", got)
	}
	expect(t, "visitor starts with a file", h.do("POST", "/api/v1/widget/conversations", vtok,
		map[string]any{"client_msg_id": "m-2", "attachments": fileIDs[:1]}, ""), http.StatusCreated)
	if got := h.log.last("conversation.start").(contracts.StartRequest).Attachments; fmt.Sprint(got) != fmt.Sprint(fileIDs[:1]) {
		t.Fatalf("start carried %v", got)
	}
	expect(t, "agent sends a file", h.do("POST", "/api/v1/conversations/"+conv+"/messages", agent.token,
		map[string]any{"body": "here", "client_msg_id": "m-3", "attachments": fileIDs[1:]}, ""), http.StatusCreated)
	if got := h.log.last("conversation.send").(contracts.SendRequest); fmt.Sprint(got.Attachments) != fmt.Sprint(fileIDs[1:]) || got.Actor.ID != agent.UserID {
		t.Fatalf("agent send %+v", got)
	}
	expect(t, "a card with files", h.do("POST", "/api/v1/conversations/"+conv+"/messages", agent.token,
		map[string]any{"kind": "card", "client_msg_id": "m-4", "payload": map[string]any{"title": "t", "text": "x", "buttons": []any{}}, "attachments": fileIDs}, ""),
		http.StatusBadRequest, "invalid", "attachments")
	expect(t, "attachments not a list", h.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", vtok,
		map[string]any{"client_msg_id": "m-5", "attachments": "f"}, ""), http.StatusBadRequest, "invalid", "attachments")

	ws := h.socket(vtok)
	if err := ws.WriteJSON(map[string]any{"type": "message.send", "conversation_id": conv, "client_msg_id": "m-6", "attachments": fileIDs}); err != nil {
		t.Fatal(err)
	}
	ack := readFrame(t, ws, "message.ack")
	if n := len(ack["message"].(map[string]any)["attachments"].([]any)); n != 2 {
		t.Fatalf("ack carries %d files", n)
	}
}

// readFrame reads a socket until a frame of the type comes.
func readFrame(t *testing.T, ws *websocket.Conn, typ string) map[string]any {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, raw, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		var f map[string]any
		if json.Unmarshal(raw, &f) == nil && f["type"] == typ {
			return f
		}
	}
}

// Deleting goes to the conversation service; its event reaches agents with
// the conversation and the visitor without it, and never for a private note.
func TestMessageDeletion(t *testing.T) {
	h := newHarness(t, nil)
	tenant, visitorID, conv := ids.New(), ids.New(), ids.New()
	agent, vtok := h.member(tenant, contracts.RoleAgent), h.visitorToken(tenant, visitorID)
	deleted := func(private bool) contracts.Message {
		return contracts.Message{ID: ids.New(), ConversationID: conv, Seq: 2, Author: contracts.Author{Type: contracts.AuthorAgent, ID: agent.UserID},
			Kind: contracts.KindDeleted, Private: private, CreatedAt: time.Now().UTC()}
	}
	serve(h, contracts.ConversationMsgDelete, func(r contracts.MessageDeleteRequest) (contracts.Message, error) {
		if r.ConversationID != conv {
			return contracts.Message{}, apperr.NotFoundf("no such message")
		}
		return deleted(false), nil
	})
	serveQuietly(h, contracts.ConversationListOwn, func(contracts.ConversationRequest) (contracts.VisitorConversations, error) {
		return contracts.VisitorConversations{Conversations: []contracts.VisitorConversation{{ID: conv}}}, nil
	})
	msgID := ids.New()
	expect(t, "agent deletes", h.do("DELETE", "/api/v1/conversations/"+conv+"/messages/"+msgID, agent.token, nil, ""), http.StatusOK)
	if r := h.log.last("conversation.message_delete").(contracts.MessageDeleteRequest); r.MessageID != msgID || r.Actor.ID != agent.UserID {
		t.Fatalf("delete request %+v", r)
	}
	expect(t, "visitor deletes", h.do("DELETE", "/api/v1/widget/conversations/"+conv+"/messages/"+msgID, vtok, nil, ""), http.StatusOK)
	if r := h.log.last("conversation.message_delete").(contracts.MessageDeleteRequest); r.Actor.Type != contracts.AuthorVisitor || r.Actor.ID != visitorID {
		t.Fatalf("visitor delete request %+v", r)
	}
	expect(t, "elsewhere", h.do("DELETE", "/api/v1/conversations/"+ids.New()+"/messages/"+msgID, agent.token, nil, ""), http.StatusNotFound, "not_found")

	agentWS, visitorWS := h.socket(agent.token), h.socket(vtok)
	publish := func(m contracts.Message) {
		env, err := contracts.NewEnvelope(contracts.ConversationMessageDeleted, tenant, "conversation", "", contracts.MessageDeleted{
			Message: m, Conversation: contracts.Conversation{ID: conv, Visitor: contracts.Visitor{ID: visitorID}},
		})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(env)
		if _, err := h.js.Publish(context.Background(), contracts.ConversationMessageDeleted.Subject(tenant), raw); err != nil {
			t.Fatal(err)
		}
	}
	note, public := deleted(true), deleted(false)
	publish(note)
	publish(public)
	for _, want := range []string{note.ID, public.ID} {
		f := readFrame(t, agentWS, "message.deleted")
		if f["message"].(map[string]any)["id"] != want || f["conversation"].(map[string]any)["id"] != conv {
			t.Fatalf("agent frame %v, want message %s", f, want)
		}
	}
	f := readFrame(t, visitorWS, "message.deleted")
	if f["message"].(map[string]any)["id"] != public.ID || f["conversation"] != nil {
		t.Fatalf("visitor frame %v", f)
	}
}
