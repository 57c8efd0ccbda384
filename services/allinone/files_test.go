package allinone_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // thumbnails and photos may come back as JPEG
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/allinone"
)

// upload sends data as the multipart field "file" named name.
func (p *parley) upload(method, path, token, name string, data []byte) response {
	p.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	f, err := w.CreateFormFile("file", name)
	if err != nil {
		p.t.Fatal(err)
	}
	_, _ = f.Write(data)
	_ = w.Close()
	return p.doWith(method, path, token, b.Bytes(), w.FormDataContentType())
}

// testPNG is a w×h PNG with a gradient, so it neither compresses to nothing
// nor is noise.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xff), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	f, err := z.Create("logs/app.log")
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 50<<10)
	_, _ = rand.Read(noise)
	_, _ = f.Write(noise)
	_ = z.Close()
	return b.Bytes()
}

// safelyServed checks the headers that keep a served file from running in
// Parley's origin, and its disposition ("inline" or "attachment").
func safelyServed(t *testing.T, r response, disposition string) {
	t.Helper()
	for k, v := range map[string]string{
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
		"Cross-Origin-Resource-Policy": "cross-origin",
	} {
		if got := r.Header.Get(k); got != v {
			t.Fatalf("%s = %q, want %q", k, got, v)
		}
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, disposition+"; filename*=UTF-8''") {
		t.Fatalf("Content-Disposition %q, want %s", cd, disposition)
	}
}

// firstAttachment is the first file of a message (a JSON object).
func firstAttachment(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	list, _ := m["attachments"].([]any)
	if len(list) == 0 {
		t.Fatalf("message without attachments: %v", m)
	}
	return list[0].(map[string]any)
}

func imageSize(t *testing.T, data []byte) (int, int) {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not an image: %v", err)
	}
	return cfg.Width, cfg.Height
}

// Files in the chat end to end: a visitor's screenshot reaches the agent
// re-encoded with a thumbnail, documents come back byte for byte behind
// signed URLs that expire and renew, hostile files are served harmless,
// nobody else reaches them, and deleting a message deletes its files.
func TestFilesInTheChat(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		clock := &testClock{}
		p := startWith(t, d, t.TempDir(), nil, allinone.WithConversationClock(clock.now))
		owner := p.signup("Files Fair")
		key := p.widgetKey(owner)
		v := p.newVisitor(key)
		agentWS := p.dial(t, owner.Access, nil)

		// A screenshot, sent without words.
		up := p.upload("POST", "/api/v1/widget/uploads", v.Token, "screenshot.png", testPNG(t, 800, 600)).must(t, http.StatusCreated)
		if up.str("kind") != "image" || up.num("image.width") != 800 || up.num("image.height") != 600 || up.str("thumbnail_url") == "" {
			t.Fatalf("upload: %s", up.Raw)
		}
		started := p.do("POST", "/api/v1/widget/conversations", v.Token, map[string]any{
			"body": "", "client_msg_id": msgID(), "attachments": []string{up.str("id")},
		}).must(t, http.StatusCreated)
		conv := started.str("conversation.id")
		agentWS.expect(5*time.Second, func(f frame) bool {
			m, _ := f["message"].(map[string]any)
			return f["type"] == "message.created" && m["attachments"] != nil
		})
		var shot map[string]any
		for _, m := range p.do("GET", "/api/v1/conversations/"+conv+"/messages", owner.Access, nil).must(t, 200).Body["messages"].([]any) {
			if mm := m.(map[string]any); mm["attachments"] != nil {
				shot = firstAttachment(t, mm)
			}
		}
		if shot == nil || shot["id"] != up.str("id") {
			t.Fatalf("the agent reads no screenshot: %v", shot)
		}
		img := p.do("GET", shot["url"].(string), "", nil).must(t, 200)
		safelyServed(t, img, "inline")
		if w, h := imageSize(t, img.Raw); w != 800 || h != 600 || !strings.HasPrefix(img.Header.Get("Content-Type"), "image/") {
			t.Fatalf("image %dx%d %s", w, h, img.Header.Get("Content-Type"))
		}
		thumb := p.do("GET", shot["thumbnail_url"].(string), "", nil).must(t, 200)
		if w, h := imageSize(t, thumb.Raw); w > 320 || h > 320 || w == 0 {
			t.Fatalf("thumbnail %dx%d", w, h)
		}

		// A document and an archive come back byte for byte.
		pdf := append([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte("0123456789abcdef"), 16<<10)...)
		archive := testZip(t)
		var docMsg map[string]any
		for _, f := range []struct {
			name, disposition string
			data              []byte
		}{{"Rechnung März.pdf", "inline", pdf}, {"logs.zip", "attachment", archive}} {
			a := p.upload("POST", "/api/v1/widget/uploads", v.Token, f.name, f.data).must(t, http.StatusCreated)
			sent := p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]any{
				"client_msg_id": msgID(), "attachments": []string{a.str("id")},
			}).must(t, http.StatusCreated)
			got := p.do("GET", firstAttachment(t, sent.Body)["url"].(string), "", nil).must(t, 200)
			safelyServed(t, got, f.disposition)
			if !bytes.Equal(got.Raw, f.data) {
				t.Fatalf("%s: got %d bytes back, sent %d", f.name, len(got.Raw), len(f.data))
			}
			if docMsg == nil {
				docMsg = sent.Body
			}
		}
		doc := firstAttachment(t, docMsg)
		docID := doc["id"].(string)

		// Hostile files: a kind the tenant does not take is refused; once it
		// does, HTML named .png is a download that cannot run.
		page := []byte("<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>")
		p.upload("POST", "/api/v1/widget/uploads", v.Token, "cute-cat.png", page).problem(t, 415, "unsupported_media", "file")
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{
			"attachments": map[string]any{"enabled": true, "kinds": []string{"image", "document", "archive", "media", "other"}},
		}).must(t, 200)
		var hostile response
		testkit.Eventually(t, 10*time.Second, func() error {
			if hostile = p.upload("POST", "/api/v1/widget/uploads", v.Token, "cute-cat.png", page); hostile.Status != http.StatusCreated {
				return fmt.Errorf("upload of other: %d %s", hostile.Status, hostile.Raw)
			}
			return nil
		})
		if hostile.str("kind") != "other" || hostile.str("thumbnail_url") != "" {
			t.Fatalf("html as png: %s", hostile.Raw)
		}
		sent := p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]any{
			"client_msg_id": msgID(), "attachments": []string{hostile.str("id")},
		}).must(t, http.StatusCreated)
		served := p.do("GET", firstAttachment(t, sent.Body)["url"].(string), "", nil).must(t, 200)
		safelyServed(t, served, "attachment")
		if ct := served.Header.Get("Content-Type"); strings.HasPrefix(ct, "image/") {
			t.Fatalf("html served as %s", ct)
		}

		// One byte over the limit is refused, whole.
		policy := p.do("GET", "/api/v1/widget/uploads/policy", v.Token, nil).must(t, 200)
		max := int(policy.num("max_file_bytes"))
		if max <= 0 || policy.Body["enabled"] != true {
			t.Fatalf("policy %s", policy.Raw)
		}
		p.upload("POST", "/api/v1/widget/uploads", v.Token, "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, max+1-9)...)).problem(t, 413, "too_large", "file")

		// Nobody else reaches the files; another visitor cannot send one's upload.
		other := p.newVisitor(key)
		p.do("GET", "/api/v1/widget/conversations/"+conv+"/files/"+docID, other.Token, nil).problem(t, 404, "not_found", "")
		stranger := p.signup("Elsewhere Inc")
		p.do("GET", "/api/v1/conversations/"+conv+"/files/"+docID, stranger.Access, nil).problem(t, 404, "not_found", "")
		unsent := p.upload("POST", "/api/v1/widget/uploads", v.Token, "mine.pdf", pdf).must(t, http.StatusCreated)
		otherConv := p.startConversation(other, "hello").str("conversation.id")
		p.do("POST", "/api/v1/widget/conversations/"+otherConv+"/messages", other.Token, map[string]any{
			"client_msg_id": msgID(), "attachments": []string{unsent.str("id")},
		}).problem(t, 400, "invalid", "attachments")
		p.do("GET", "/api/v1/files/not-a-token", "", nil).problem(t, 404, "not_found", "")

		// Links expire after 15 minutes (410) and are renewed on request.
		clock.advance(16 * time.Minute)
		p.do("GET", doc["url"].(string), "", nil).problem(t, 410, "gone", "")
		renewed := p.do("GET", "/api/v1/widget/conversations/"+conv+"/files/"+docID, v.Token, nil).must(t, 200)
		if got := p.do("GET", renewed.str("url"), "", nil).must(t, 200); !bytes.Equal(got.Raw, pdf) {
			t.Fatal("the renewed link serves other bytes")
		}
		p.do("GET", "/api/v1/conversations/"+conv+"/files/"+docID, owner.Access, nil).must(t, 200)

		// The workspace's storage counts them.
		bill := p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
		if used := bill.num("storage.used_bytes"); used < float64(len(pdf)+len(archive)) || bill.num("storage.files") < 4 {
			t.Fatalf("storage: %s", bill.Raw)
		}

		// Deleting the message deletes its file, and every agent hears of it.
		del := p.do("DELETE", "/api/v1/widget/conversations/"+conv+"/messages/"+docMsg["id"].(string), v.Token, nil).must(t, 200)
		if del.str("kind") != "deleted" || del.Body["attachments"] != nil || del.str("body") != "" {
			t.Fatalf("deleted: %s", del.Raw)
		}
		p.do("GET", renewed.str("url"), "", nil).problem(t, 404, "not_found", "")
		agentWS.expect(5*time.Second, func(f frame) bool {
			return f["type"] == "message.deleted" && f.str("message.id") == docMsg["id"] && f.str("conversation.id") == conv
		})
		after := p.do("GET", "/api/v1/billing", owner.Access, nil).must(t, 200)
		if after.num("storage.used_bytes") > bill.num("storage.used_bytes")-float64(len(pdf)) {
			t.Fatalf("storage after the delete: %s (before %s)", after.Raw, bill.Raw)
		}
	})
}

// A member's photo and the widget's logo are re-encoded, served publicly for
// good, and reach messages and the widget.
func TestAvatarsAndLogos(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Faces Ltd")
		agent := p.invite(owner, "agent")

		set := p.upload("PUT", "/api/v1/me/avatar", agent.Access, "me.png", testPNG(t, 600, 400)).must(t, 200)
		avatar := set.str("avatar_url")
		if !strings.HasPrefix(avatar, "/api/v1/media/avatars/") || p.do("GET", "/api/v1/me", agent.Access, nil).must(t, 200).str("user.avatar_url") != avatar {
			t.Fatalf("avatar: %s", set.Raw)
		}
		photo := p.do("GET", avatar, "", nil).must(t, 200)
		safelyServed(t, photo, "inline")
		if w, h := imageSize(t, photo.Raw); w != h || w > 256 || photo.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("photo %dx%d, %s", w, h, photo.Header.Get("Cache-Control"))
		}
		p.upload("PUT", "/api/v1/me/avatar", agent.Access, "me.png", []byte("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")).problem(t, 415, "unsupported_media", "file")

		// The agent's messages carry the photo.
		v := p.newVisitor(p.widgetKey(owner))
		conv := p.startConversation(v, "hi").str("conversation.id")
		testkit.Eventually(t, 10*time.Second, func() error {
			m := p.do("POST", "/api/v1/conversations/"+conv+"/messages", agent.Access, map[string]string{"body": "hello", "client_msg_id": msgID()}).must(t, 201)
			if got := m.str("author.avatar_url"); got != avatar {
				return fmt.Errorf("author.avatar_url %q", got)
			}
			return nil
		})
		removed := p.do("DELETE", "/api/v1/me/avatar", agent.Access, nil).must(t, 200)
		if removed.str("avatar_url") != "" {
			t.Fatalf("removed: %s", removed.Raw)
		}
		p.do("GET", avatar, "", nil).problem(t, 404, "not_found", "")

		// The logo: admins only, shown by the widget.
		p.upload("PUT", "/api/v1/settings/logo", agent.Access, "logo.png", testPNG(t, 100, 100)).problem(t, 403, "forbidden", "")
		settings := p.upload("PUT", "/api/v1/settings/logo", owner.Access, "logo.png", testPNG(t, 1200, 300)).must(t, 200)
		logo := settings.str("widget.logo_url")
		if !strings.HasPrefix(logo, "/api/v1/media/logos/") {
			t.Fatalf("logo: %s", settings.Raw)
		}
		served := p.do("GET", logo, "", nil).must(t, 200)
		safelyServed(t, served, "inline")
		if w, h := imageSize(t, served.Raw); w > 512 || h > 512 || w != 4*h {
			t.Fatalf("logo %dx%d", w, h)
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			s := p.do("POST", "/api/v1/widget/"+p.widgetKey(owner)+"/session", "", map[string]any{}).must(t, 200)
			if got := s.str("config.widget.logo_url"); got != logo {
				return fmt.Errorf("widget logo %q", got)
			}
			return nil
		})
		if s := p.do("DELETE", "/api/v1/settings/logo", owner.Access, nil).must(t, 200); s.str("widget.logo_url") != "" {
			t.Fatalf("logo removed: %s", s.Raw)
		}
		p.do("GET", logo, "", nil).problem(t, 404, "not_found", "")
	})
}
