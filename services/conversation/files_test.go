package conversation_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

// pngOf is a w×h PNG.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb is a tiny PNG whose header claims 100,000 × 100,000 pixels.
func bomb(t testing.TB) []byte {
	b := pngOf(t, 1, 1)
	ihdr := b[8+8 : 8+8+13] // after the signature, length and type
	binary.BigEndian.PutUint32(ihdr[0:], 100_000)
	binary.BigEndian.PutUint32(ihdr[4:], 100_000)
	binary.BigEndian.PutUint32(b[8+8+13:], crc32.ChecksumIEEE(b[8+4:8+8+13]))
	return b
}

const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func bucket(t testing.TB, e *env, name string) jetstream.ObjectStore {
	t.Helper()
	obs, err := e.js.ObjectStore(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// upload stores data as the gateway does and asks the service to accept it.
func upload(t testing.TB, e *env, actor contracts.Actor, name string, data []byte) (contracts.Attachment, error) {
	t.Helper()
	id := ids.New()
	object := contracts.UploadObject(actor.TenantID, id)
	if _, err := bucket(t, e, contracts.UploadBucket).PutBytes(context.Background(), object, data); err != nil {
		t.Fatal(err)
	}
	return try(e, contracts.ConversationUploadAccept, contracts.UploadAcceptRequest{Actor: actor, UploadID: id, Object: object, Name: name, Size: int64(len(data))})
}

func mustUpload(t testing.TB, e *env, actor contracts.Actor, name string, data []byte) contracts.Attachment {
	t.Helper()
	a, err := upload(t, e, actor, name, data)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return a
}

// open redeems a signed URL and reads what the gateway would stream.
func open(t testing.TB, e *env, url string) (contracts.FileOpen, []byte, error) {
	t.Helper()
	token, ok := strings.CutPrefix(url, "/api/v1/files/")
	if !ok {
		t.Fatalf("not a file URL: %q", url)
	}
	f, err := try(e, contracts.ConversationFileOpen, contracts.FileOpenRequest{Token: token})
	if err != nil {
		return f, nil, err
	}
	b, err := bucket(t, e, f.Bucket).GetBytes(context.Background(), f.Object)
	if err != nil {
		t.Fatalf("%s: %v", f.Object, err)
	}
	return f, b, nil
}

// objects lists the names in the attachments bucket under a tenant ("": all).
// A List racing a delete's marker purge can wait for an end that never
// comes, so each attempt has a deadline.
func objects(t testing.TB, e *env, tenant string) []string {
	t.Helper()
	var infos []*jetstream.ObjectInfo
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var err error
		infos, err = bucket(t, e, contracts.AttachmentBucket).List(ctx)
		cancel()
		if err == nil || errors.Is(err, jetstream.ErrNoObjectsFound) {
			break
		}
		if attempt == 4 {
			t.Fatal(err)
		}
	}
	var out []string
	for _, i := range infos {
		if strings.HasPrefix(i.Name, tenant) && !i.Deleted {
			out = append(out, i.Name)
		}
	}
	return out
}

func member(tenant string, role contracts.Role) contracts.Actor {
	return contracts.Actor{TenantID: tenant, Type: contracts.AuthorAgent, ID: ids.New(), Role: role, Name: "Grace"}
}

func TestAttachmentsUploadSendRead(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tenant := ids.New()
		ada, bob := visitor(tenant), visitor(tenant)
		agent := member(tenant, contracts.RoleAgent)

		photo := mustUpload(t, e, ada, "../../etc/holiday.png", pngOf(t, 40, 30))
		doc := mustUpload(t, e, ada, "invoice.pdf", []byte(pdf))
		if photo.Kind != contracts.FileKindImage || photo.Image == nil || photo.Image.Width != 40 || photo.Image.Height != 30 ||
			photo.ThumbnailURL == "" || photo.URL == "" || strings.Contains(photo.Name, "/") {
			t.Fatalf("photo: %+v", photo)
		}
		if doc.Kind != contracts.FileKindDocument || doc.ContentType != "application/pdf" || doc.ThumbnailURL != "" || doc.Size != int64(len(pdf)) {
			t.Fatalf("doc: %+v", doc)
		}
		// The upload itself is gone once accepted.
		if infos, _ := bucket(t, e, contracts.UploadBucket).List(context.Background()); len(infos) != 0 {
			for _, i := range infos {
				if strings.HasPrefix(i.Name, tenant+"/") && !i.Deleted {
					t.Fatalf("upload %s left behind", i.Name)
				}
			}
		}

		// Bob cannot send Ada's files.
		_, err := try(e, contracts.ConversationStart, contracts.StartRequest{Actor: bob, ClientMsgID: ids.New(), Attachments: []string{photo.ID}})
		wantCode(t, err, apperr.Invalid, "attachments")

		// Ada sends both with no text.
		cmid := ids.New()
		res := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: ada, ClientMsgID: cmid, Attachments: []string{photo.ID, doc.ID}})
		conv := res.Conversation.ID
		if got := res.Message.Attachments; len(got) != 2 || got[0].ID != photo.ID || got[1].ID != doc.ID || got[0].URL == "" || got[0].ExpiresAt == nil {
			t.Fatalf("sent: %+v", got)
		}
		if res.Conversation.LastMessage == nil || !strings.Contains(res.Conversation.LastMessage.Body, "holiday.png") {
			t.Fatalf("preview: %+v", res.Conversation.LastMessage)
		}
		// A retry returns the same message with its files; sending them again is refused.
		again := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: ada, ClientMsgID: cmid, Attachments: []string{photo.ID, doc.ID}})
		if !again.Replayed || again.Message.ID != res.Message.ID || len(again.Message.Attachments) != 2 {
			t.Fatalf("replay: %+v", again)
		}
		_, err = try(e, contracts.ConversationSend, contracts.SendRequest{Actor: ada, ConversationID: conv, ClientMsgID: ids.New(), Attachments: []string{doc.ID}})
		wantCode(t, err, apperr.Invalid, "attachments")
		_, err = try(e, contracts.ConversationSend, contracts.SendRequest{Actor: ada, ConversationID: conv, ClientMsgID: ids.New()})
		wantCode(t, err, apperr.Invalid, "body")

		// The event carries the files with URLs.
		testkit.Eventually(t, 10*time.Second, func() error {
			for _, env := range eventsOf(t, e, tenant, contracts.ConversationMessageCreated) {
				var ev contracts.MessageCreated
				_ = env.Decode(&ev)
				if ev.Message.ID == res.Message.ID && len(ev.Message.Attachments) == 2 && ev.Message.Attachments[0].ThumbnailURL != "" {
					return nil
				}
			}
			return fmt.Errorf("no message.created with the files")
		})

		// The agent reads them, and the URLs open the stored bytes.
		page := call(t, e, contracts.ConversationMessages, contracts.MessagesRequest{Actor: agent, ConversationID: conv})
		got := page.Messages[0].Attachments
		if len(got) != 2 {
			t.Fatalf("read: %+v", page.Messages[0])
		}
		f, b, err := open(t, e, got[1].URL)
		if err != nil || string(b) != pdf || f.ContentType != "application/pdf" || !f.Inline || f.Name != "invoice.pdf" || f.Bucket != contracts.AttachmentBucket ||
			!f.ExpiresAt.Equal(*got[1].ExpiresAt) {
			t.Fatalf("open pdf: %+v %v", f, err)
		}
		f, b, err = open(t, e, got[0].URL)
		if err != nil || !f.Inline || f.ContentType != "image/png" || f.Size != int64(len(b)) {
			t.Fatalf("open photo: %+v %v", f, err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("stored photo is no PNG: %v", err)
		}
		th, tb, err := open(t, e, got[0].ThumbnailURL)
		if err != nil || !strings.HasSuffix(th.Object, ".thumb") || len(tb) == 0 {
			t.Fatalf("thumbnail: %+v %v", th, err)
		}
		// Transcripts and the visitor's own reads carry them too.
		tr := call(t, e, contracts.ConversationTranscript, contracts.ConversationRequest{Actor: agent, ConversationID: conv})
		if len(tr.Messages[0].Attachments) != 2 {
			t.Fatal("transcript without files")
		}
		if own := call(t, e, contracts.ConversationMessages, contracts.MessagesRequest{Actor: ada, ConversationID: conv}); len(own.Messages[0].Attachments) != 2 {
			t.Fatal("visitor's read without files")
		}

		// Fresh URLs for those who see the conversation; nobody else.
		fresh := call(t, e, contracts.ConversationFileGet, contracts.FileRequest{Actor: ada, ConversationID: conv, FileID: doc.ID})
		if fresh.URL == "" || fresh.ID != doc.ID {
			t.Fatalf("file get: %+v", fresh)
		}
		for _, who := range []contracts.Actor{bob, visitor(ids.New()), member(ids.New(), contracts.RoleAdmin)} {
			_, err := try(e, contracts.ConversationFileGet, contracts.FileRequest{Actor: who, ConversationID: conv, FileID: doc.ID})
			wantCode(t, err, apperr.NotFound, "")
		}

		// A forged token is 404, an expired one 410.
		_, _, err = open(t, e, fresh.URL[:len(fresh.URL)-3]+"AAA")
		wantCode(t, err, apperr.NotFound, "")
		_, _, err = open(t, e, "/api/v1/files/"+strings.Repeat("x", 40))
		wantCode(t, err, apperr.NotFound, "")
		// The file's signature does not open its thumbnail.
		body, sig, _ := strings.Cut(strings.TrimPrefix(got[0].URL, "/api/v1/files/"), ".")
		raw, _ := base64.RawURLEncoding.DecodeString(body)
		asThumb := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "||", "|thumb|", 1))) + "." + sig
		_, _, err = open(t, e, "/api/v1/files/"+asThumb)
		wantCode(t, err, apperr.NotFound, "")
		e.clock.set(16 * time.Minute)
		_, _, err = open(t, e, fresh.URL)
		wantCode(t, err, apperr.Gone, "expired")
		renewed := call(t, e, contracts.ConversationFileGet, contracts.FileRequest{Actor: agent, ConversationID: conv, FileID: doc.ID})
		if _, _, err := open(t, e, renewed.URL); err != nil {
			t.Fatalf("renewed URL: %v", err)
		}
		e.clock.set(0)

		// An agent's reply with a file and their photo.
		publishMember(t, e, tenant, contracts.User{ID: agent.ID, Name: agent.Name, AvatarURL: contracts.AvatarPath("a1")})
		mine := mustUpload(t, e, agent, "notes.txt", []byte("plain words for the visitor\n"))
		testkit.Eventually(t, 10*time.Second, func() error {
			r := call(t, e, contracts.ConversationSend, contracts.SendRequest{Actor: agent, ConversationID: conv, ClientMsgID: ids.New(), Body: "here", Attachments: attachmentsOnce(&mine)})
			if r.Message.Author.AvatarURL != contracts.AvatarPath("a1") {
				return fmt.Errorf("author: %+v", r.Message.Author)
			}
			return nil
		})

		// Private notes' files stay from the visitor.
		secret := mustUpload(t, e, agent, "secret.txt", []byte("internal only\n"))
		note := call(t, e, contracts.ConversationSend, contracts.SendRequest{Actor: agent, ConversationID: conv, ClientMsgID: ids.New(), Private: true, Attachments: []string{secret.ID}})
		if len(note.Message.Attachments) != 1 {
			t.Fatalf("note: %+v", note.Message)
		}
		_, err = try(e, contracts.ConversationFileGet, contracts.FileRequest{Actor: ada, ConversationID: conv, FileID: secret.ID})
		wantCode(t, err, apperr.NotFound, "")

		usage := call(t, e, contracts.ConversationStorage, contracts.TenantIDRequest{TenantID: tenant})
		if usage.Files != 4 || usage.UsedBytes <= int64(len(pdf)) || usage.MaxFileBytes != contracts.DefaultMaxFileBytes {
			t.Fatalf("usage: %+v", usage)
		}
	})
}

// attachmentsOnce sends a file the first time and nothing after (the
// avatar poll above sends until the photo shows up).
func attachmentsOnce(a *contracts.Attachment) []string {
	if a.ID == "" {
		return nil
	}
	id := a.ID
	a.ID = ""
	return []string{id}
}

func publishMember(t *testing.T, e *env, tenant string, u contracts.User) {
	t.Helper()
	if err := natsx.EnsureStream(context.Background(), e.js, contracts.IdentityStream); err != nil {
		t.Fatal(err)
	}
	env, err := contracts.NewEnvelope(contracts.IdentityMemberChanged, tenant, "user", u.ID, contracts.MemberChanged{User: u})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := natsx.Publish(context.Background(), e.js, contracts.IdentityMemberChanged.Subject(tenant), env); err != nil {
		t.Fatal(err)
	}
}

func TestHostileUploads(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tenant := ids.New()
		ada := visitor(tenant)
		e.mu.Lock()
		e.settings.Attachments.Kinds = contracts.FileKinds // other included: stored, never inline
		e.ents[tenant] = contracts.Entitlements{MaxFileBytes: 4000, StorageBytes: 10_000}
		e.mu.Unlock()

		html := mustUpload(t, e, ada, "cat.png", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"))
		if html.Kind != contracts.FileKindOther || html.ThumbnailURL != "" || html.Image != nil {
			t.Fatalf("html as png: %+v", html)
		}
		if f, _, err := open(t, e, html.URL); err != nil || f.Inline {
			t.Fatalf("html opens inline: %+v %v", f, err)
		}
		svg := mustUpload(t, e, ada, "logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
		if f, _, err := open(t, e, svg.URL); err != nil || f.Inline || svg.Kind != contracts.FileKindOther {
			t.Fatalf("svg: %+v %+v %v", svg, f, err)
		}
		payload := "<html><script>alert('polyglot')</script></html>"
		poly := mustUpload(t, e, ada, "poly.png", append(pngOf(t, 8, 8), payload...))
		if _, b, err := open(t, e, poly.URL); err != nil || bytes.Contains(b, []byte("polyglot")) || poly.Kind != contracts.FileKindImage {
			t.Fatalf("polyglot kept its payload (%v)", err)
		}
		_, err := upload(t, e, ada, "bomb.png", bomb(t))
		wantCode(t, err, apperr.TooLarge, "pixels")
		_, err = upload(t, e, ada, "empty.txt", nil)
		wantCode(t, err, apperr.Invalid, "empty")
		if e := apperr.As(err); e.Field != "file" {
			t.Fatalf("zero bytes: field %q", e.Field)
		}
		mustUpload(t, e, ada, "max.txt", bytes.Repeat([]byte("a"), 4000))
		_, err = upload(t, e, ada, "over.txt", bytes.Repeat([]byte("a"), 4001))
		wantCode(t, err, apperr.TooLarge, "larger")

		// Storage: about 5,000 of 10,000 bytes are used; 4,000 more fit, then it is full.
		mustUpload(t, e, ada, "more.txt", bytes.Repeat([]byte("b"), 4000))
		_, err = upload(t, e, ada, "full.txt", bytes.Repeat([]byte("c"), 3000))
		wantCode(t, err, apperr.TooLarge, "storage is full")
		if p := call(t, e, contracts.ConversationUploadPolicy, contracts.UploadPolicyRequest{Actor: ada}); p.StorageFull || p.MaxFileBytes != 4000 || !p.Enabled {
			t.Fatalf("policy: %+v", p)
		}

		// Another tenant's upload cannot be claimed.
		other := visitor(ids.New())
		id := ids.New()
		_, err = try(e, contracts.ConversationUploadAccept, contracts.UploadAcceptRequest{Actor: other, UploadID: id, Object: contracts.UploadObject(tenant, id), Name: "x"})
		wantCode(t, err, apperr.Invalid, "upload_id")

		// Kinds the tenant turned off are 415; attachments off is 403.
		e.mu.Lock()
		e.settings.Attachments.Kinds = []string{contracts.FileKindImage}
		e.mu.Unlock()
		t2 := visitor(ids.New()) // a tenant whose settings are read afresh
		_, err = upload(t, e, t2, "a.pdf", []byte(pdf))
		wantCode(t, err, apperr.UnsupportedMedia, "document")
		_, err = upload(t, e, t2, "page.html", []byte("<html><body>hi</body></html>"))
		wantCode(t, err, apperr.UnsupportedMedia, "")
		e.mu.Lock()
		e.settings.Attachments.Enabled = false
		e.mu.Unlock()
		t3 := visitor(ids.New())
		_, err = upload(t, e, t3, "a.png", pngOf(t, 2, 2))
		wantCode(t, err, apperr.Forbidden, "")
		if p := call(t, e, contracts.ConversationUploadPolicy, contracts.UploadPolicyRequest{Actor: t3}); p.Enabled {
			t.Fatalf("policy of a tenant without attachments: %+v", p)
		}
		// Nothing refused was left in the bucket.
		if n := len(objects(t, e, t2.TenantID)) + len(objects(t, e, t3.TenantID)); n != 0 {
			t.Fatalf("%d objects of refused uploads", n)
		}
	})
}

func TestVisitorUploadLimits(t *testing.T) {
	t.Parallel()
	e := start(t, testkit.SQLiteDB(t))
	ada := visitor(ids.New())
	for i := range 20 {
		mustUpload(t, e, ada, fmt.Sprintf("f%d.txt", i), []byte("words\n"))
	}
	_, err := upload(t, e, ada, "one-more.txt", []byte("words\n"))
	wantCode(t, err, apperr.RateLimited, "waiting")
	// Another visitor is not held up.
	mustUpload(t, e, visitor(ada.TenantID), "f.txt", []byte("words\n"))
}

func TestMessageDelete(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		tenant := ids.New()
		ada := visitor(tenant)
		agent, admin := member(tenant, contracts.RoleAgent), member(tenant, contracts.RoleAdmin)
		photo := mustUpload(t, e, ada, "me.png", pngOf(t, 10, 10))
		start := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: ada, Body: "look", ClientMsgID: ids.New(), Attachments: []string{photo.ID}})
		conv := start.Conversation.ID
		reply := call(t, e, contracts.ConversationSend, contracts.SendRequest{Actor: agent, ConversationID: conv, Body: "nice", ClientMsgID: ids.New()})
		if n := len(objects(t, e, tenant)); n != 2 {
			t.Fatalf("%d objects, want the photo and its thumbnail", n)
		}

		_, err := try(e, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{Actor: agent, ConversationID: conv, MessageID: start.Message.ID})
		wantCode(t, err, apperr.Forbidden, "own")
		_, err = try(e, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{Actor: ada, ConversationID: conv, MessageID: reply.Message.ID})
		wantCode(t, err, apperr.Forbidden, "own")
		_, err = try(e, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{Actor: visitor(tenant), ConversationID: conv, MessageID: start.Message.ID})
		wantCode(t, err, apperr.NotFound, "")

		del := call(t, e, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{Actor: ada, ConversationID: conv, MessageID: start.Message.ID})
		if del.Kind != contracts.KindDeleted || del.Body != "" || len(del.Attachments) != 0 || del.Seq != start.Message.Seq {
			t.Fatalf("deleted: %+v", del)
		}
		if n := len(objects(t, e, tenant)); n != 0 {
			t.Fatalf("%d objects left", n)
		}
		if u := call(t, e, contracts.ConversationStorage, contracts.TenantIDRequest{TenantID: tenant}); u.Files != 0 || u.UsedBytes != 0 {
			t.Fatalf("usage after delete: %+v", u)
		}
		page := call(t, e, contracts.ConversationMessages, contracts.MessagesRequest{Actor: agent, ConversationID: conv})
		if len(page.Messages) != 2 || page.Messages[0].Kind != contracts.KindDeleted || page.Messages[0].Body != "" {
			t.Fatalf("read after delete: %+v", page.Messages)
		}
		// Deleting again changes nothing; the admin deletes the agent's reply.
		call(t, e, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{Actor: ada, ConversationID: conv, MessageID: start.Message.ID})
		call(t, e, contracts.ConversationMsgDelete, contracts.MessageDeleteRequest{Actor: admin, ConversationID: conv, MessageID: reply.Message.ID})
		testkit.Eventually(t, 10*time.Second, func() error {
			evs := eventsOf(t, e, tenant, contracts.ConversationMessageDeleted)
			if len(evs) != 2 {
				return fmt.Errorf("%d message.deleted events", len(evs))
			}
			var ev contracts.MessageDeleted
			_ = evs[0].Decode(&ev)
			if ev.Message.ID != start.Message.ID || ev.Conversation.ID != conv || ev.Message.Kind != contracts.KindDeleted {
				return fmt.Errorf("event: %+v", ev)
			}
			return nil
		})
	})
}

func TestFilesGoWithTheirConversations(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		sendPhoto := func(v contracts.Actor) string {
			a := mustUpload(t, e, v, "p.png", pngOf(t, 4, 4))
			return call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: v, ClientMsgID: ids.New(), Attachments: []string{a.ID}}).Conversation.ID
		}
		tenant := ids.New()
		ada, bob := visitor(tenant), visitor(tenant)
		sendPhoto(ada)
		mustUpload(t, e, ada, "unsent.txt", []byte("never sent\n"))
		sendPhoto(bob)
		if n := len(objects(t, e, tenant)); n != 5 {
			t.Fatalf("%d objects, want 5", n)
		}

		// Erasure takes the visitor's files, sent or not.
		admin := member(tenant, contracts.RoleAdmin)
		call(t, e, contracts.ConversationVisitorErase, contracts.VisitorDataRequest{Actor: admin, VisitorID: ada.ID})
		if n := len(objects(t, e, tenant)); n != 2 {
			t.Fatalf("%d objects after erasure, want bob's 2", n)
		}

		// An unsent upload goes after the upload TTL.
		late := mustUpload(t, e, bob, "late.txt", []byte("forgotten\n"))
		e.clock.set(contracts.UploadTTL + time.Minute)
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(objects(t, e, tenant)); n != 2 {
				return fmt.Errorf("%d objects", n)
			}
			return nil
		})
		_, err := try(e, contracts.ConversationStart, contracts.StartRequest{Actor: bob, ClientMsgID: ids.New(), Attachments: []string{late.ID}})
		wantCode(t, err, apperr.Invalid, "attachments")

		// Retention takes old conversations' files.
		e.clock.set(40 * 24 * time.Hour)
		e.mu.Lock()
		e.policies = []contracts.RetentionPolicy{{TenantID: tenant, Days: 30}}
		e.mu.Unlock()
		testkit.Eventually(t, 20*time.Second, func() error {
			if n := len(objects(t, e, tenant)); n != 0 {
				return fmt.Errorf("%d objects", n)
			}
			return nil
		})

		// Workspace deletion takes everything under the tenant.
		e.mu.Lock()
		e.policies = nil
		e.mu.Unlock()
		gone := ids.New()
		sendPhoto(visitor(gone))
		if err := natsx.EnsureStream(context.Background(), e.js, contracts.TenantStream); err != nil {
			t.Fatal(err)
		}
		env, err := contracts.NewEnvelope(contracts.TenantTenantDeleted, gone, "tenant", "", contracts.TenantDeleted{Reason: contracts.TenantClosed})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := natsx.Publish(context.Background(), e.js, contracts.TenantTenantDeleted.Subject(gone), env); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 20*time.Second, func() error {
			if n := len(objects(t, e, gone)); n != 0 {
				return fmt.Errorf("%d objects", n)
			}
			if m := mentions(t, e, gone); len(m) > 0 {
				return fmt.Errorf("still stored: %v", m[0])
			}
			return nil
		})
	})
}

func TestExportImportCarriesFiles(t *testing.T) {
	t.Parallel()
	src, dst := start(t, testkit.SQLiteDB(t)), start(t, testkit.SQLiteDB(t))
	tenant := ids.New()
	ada := visitor(tenant)
	text := []byte("the receipt, line by line\n")
	a := mustUpload(t, src, ada, "receipt.txt", text)
	p := mustUpload(t, src, ada, "p.png", pngOf(t, 12, 9))
	res := call(t, src, contracts.ConversationStart, contracts.StartRequest{Actor: ada, Body: "see", ClientMsgID: ids.New(), Attachments: []string{a.ID, p.ID}})
	mustUpload(t, src, ada, "unsent.txt", []byte("not exported\n"))

	part, files := export(t, src, tenant)
	if !bytes.Equal(files["attachment-"+a.ID], text) || len(files["attachment-"+p.ID]) == 0 || len(lines(files["files.jsonl"])) != 2 {
		t.Fatalf("export: %d files, files.jsonl %q", len(part.Files), files["files.jsonl"])
	}
	target := ids.New()
	if _, err := importPart(dst, target, files, nil); err != nil {
		t.Fatal(err)
	}
	staff := member(target, contracts.RoleAdmin)
	page := call(t, dst, contracts.ConversationMessages, contracts.MessagesRequest{Actor: staff, ConversationID: res.Conversation.ID})
	got := page.Messages[0].Attachments
	if len(got) != 2 || got[0].Name != "receipt.txt" || got[1].Image == nil || got[1].Image.Width != 12 || got[1].ThumbnailURL == "" {
		t.Fatalf("imported: %+v", got)
	}
	if _, b, err := open(t, dst, got[0].URL); err != nil || !bytes.Equal(b, text) {
		t.Fatalf("imported bytes: %q %v", b, err)
	}
	_, again := export(t, dst, target)
	if !bytes.Equal(again["files.jsonl"], files["files.jsonl"]) {
		t.Fatalf("files.jsonl after the round trip:\n%s\nwant:\n%s", again["files.jsonl"], files["files.jsonl"])
	}

	// A row whose bytes are missing is refused, and nothing is written.
	delete(files, "attachment-"+a.ID)
	third := start(t, testkit.SQLiteDB(t))
	_, err := importPart(third, ids.New(), files, nil)
	wantCode(t, err, apperr.Invalid, "attachment-"+a.ID)
	if n := len(objects(t, third, "")); n != 0 {
		t.Fatalf("a refused import left %d objects", n)
	}
}
