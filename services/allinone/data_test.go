package allinone_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/testkit"
)

// signupAs creates a tenant whose owner has the given email (another
// Parley may know the same person).
func (p *parley) signupAs(business, email string) account {
	p.t.Helper()
	r := p.do("POST", "/api/v1/signup", "", map[string]string{
		"business_name": business, "name": "Owner of " + business, "email": email, "password": "correct horse battery",
	}).must(p.t, http.StatusCreated)
	return account{TenantID: r.str("tenant.id"), UserID: r.str("user.id"), Email: email, Password: "correct horse battery",
		Access: r.str("access_token"), Refresh: r.str("refresh_token")}
}

// inviteAs adds a member with the given email and role.
func (p *parley) inviteAs(owner account, role, email string) account {
	p.t.Helper()
	inv := p.do("POST", "/api/v1/invites", owner.Access, map[string]string{"email": email, "role": role}).must(p.t, http.StatusCreated)
	r := p.do("POST", "/api/v1/invites/"+inv.str("token")+"/accept", "", map[string]string{"name": "Member " + email, "password": "another good one"}).must(p.t, http.StatusOK)
	return account{TenantID: owner.TenantID, UserID: r.str("user.id"), Email: email, Password: "another good one",
		Access: r.str("access_token"), Refresh: r.str("refresh_token")}
}

// book has a visitor book the first slot the appointments bot offers; it
// returns the conversation.
func (p *parley) book(t *testing.T, v visitor, name, email string) string {
	t.Helper()
	conv := p.startConversation(v, "Can I book an appointment?").str("conversation.id")
	slots := options(p.waitMessages(t, v.Token, msgPath(conv), 2)[1])
	if len(slots) == 0 {
		t.Fatalf("the appointments bot offers no slot")
	}
	p.say(t, v, conv, slots[0]["value"].(string))
	// The bot asks what it does not know yet (a verified visitor's name and
	// email it knows), then confirms with a card.
	for n := 4; n <= 8; n += 2 {
		m := p.waitMessages(t, v.Token, msgPath(conv), n)[n-1]
		body, _ := m["body"].(string)
		switch {
		case m["kind"] == "card":
			return conv
		case strings.Contains(body, "name"):
			p.say(t, v, conv, name)
		case strings.Contains(body, "email"):
			p.say(t, v, conv, email)
		default:
			t.Fatalf("the appointments bot said %v", m)
		}
	}
	t.Fatalf("no booking confirmation in %s", conv)
	return ""
}

func (p *parley) note(agent account, conv, body string) {
	p.t.Helper()
	p.do("POST", "/api/v1/conversations/"+conv+"/messages", agent.Access, map[string]any{"body": body, "client_msg_id": msgID(), "private": true}).must(p.t, 201)
}

// tag is a string no other test writes, for needles.
func tag() string { return strings.ReplaceAll(msgID(), "-", "") }

// secrets of a workspace that must never leave it (in an export or the audit log).
type secrets []string

func (s secrets) in(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, x := range s {
		if x != "" && bytes.Contains(data, []byte(x)) {
			t.Errorf("%s holds a secret (%.12s…)", where, x)
		}
	}
}

// A workspace on SQLite with everything a business keeps (members,
// settings, a bot, canned responses, visitors, conversations with labels,
// an assignee, notes and several messages, a booking) is exported, imported
// into a new workspace of a Parley on PostgreSQL (separate processes), and
// exported again: every file the import recreates is the same, row by row,
// ids and timestamps included, with the member ids mapped by email.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	src := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := src.signup("Round Trip Outfitters")
	stays := src.invite(owner, "agent")  // is invited to the new workspace too
	leaves := src.invite(owner, "admin") // is not: their ids stay unmapped
	keep := secrets{owner.Password, stays.Password, owner.Refresh, stays.Refresh, leaves.Refresh}

	widget := src.do("GET", "/api/v1/settings", owner.Access, nil).must(t, 200).Body["widget"].(map[string]any)
	widget["color"] = "#aa3300"
	src.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"widget": widget}).must(t, 200)
	if r := src.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"retention_days": 30}); r.Status != 200 {
		t.Errorf("PATCH /settings retention_days: %d %s", r.Status, r.Raw)
	}
	keep = append(keep, src.do("POST", "/api/v1/settings/identity-secret/rotate", owner.Access, nil).must(t, 200).str("secret"))
	keep = append(keep, src.do("POST", "/api/v1/api-keys", owner.Access, map[string]string{"name": "Shop bot"}).must(t, 201).str("key"))
	src.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "hello", "body": "Hi! How can I help?"}).must(t, 201)
	src.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "bye", "body": "Have a nice day."}).must(t, 201)

	key := src.widgetKey(owner)
	src.do("PUT", "/api/v1/bot", owner.Access, botConfig("appointments", "faq")).must(t, 200)
	booker := src.newVisitor(key)
	booked := src.book(t, booker, "Bea Booker", "bea@example.com")
	bot := botConfig("faq")
	bot["enabled"] = false
	src.do("PUT", "/api/v1/bot", owner.Access, bot).must(t, 200)

	vera := src.visitorWithEmail(key, "vera-roundtrip@example.com", "de-DE")
	a := src.startConversation(vera, "Do the boots come in 39?").str("conversation.id")
	src.answer(owner, a, "They do, in brown.")
	src.say(t, vera, a, "And in black?")
	src.answer(stays, a, "Black too.")
	src.note(owner, a, "regular customer, VIP")
	src.answer(leaves, a, "Anything else?")
	src.say(t, vera, a, "No, thanks!")
	src.do("PATCH", "/api/v1/conversations/"+a, owner.Access, map[string]any{"labels": []string{"vip", "boots"}, "assignee_id": stays.UserID}).must(t, 200)
	b := src.startConversation(src.newVisitor(key), "Where is my refund?").str("conversation.id")
	src.answer(leaves, b, "Let me check.")
	src.note(leaves, b, "refund pending at the bank")
	src.do("PATCH", "/api/v1/conversations/"+b, owner.Access, map[string]any{"labels": []string{"billing"}, "assignee_id": leaves.UserID}).must(t, 200)
	c2 := src.startConversation(vera, "One more question").str("conversation.id")
	src.answer(stays, c2, "Sure.")

	first, _ := src.export(t, owner.Access)
	keep.in(t, "the export", first.Raw)
	for name, data := range first.Files {
		keep.in(t, "export file "+name, data)
	}
	for _, want := range []string{"manifest.json", "settings.json", "members.jsonl", "visitors.jsonl", "conversations.jsonl", "messages.jsonl",
		"bookings.jsonl", "canned_responses.jsonl", "audit_log.jsonl", "conversations.csv", "messages.csv"} {
		if _, ok := first.Files[want]; !ok {
			t.Errorf("the archive lacks %s (it has %v)", want, first.names())
		}
	}
	checkExportContent(t, first, owner, stays, leaves, []string{a, b, c2, booked})

	// Another tenant's member cannot see the export.
	other := src.signup("Somebody Else")
	if list := src.do("GET", "/api/v1/exports", other.Access, nil).must(t, 200); len(list.Body["exports"].([]any)) != 0 {
		t.Errorf("another tenant lists exports: %s", list.Raw)
	}
	exportID := first.Manifest.ExportID
	src.do("GET", "/api/v1/exports/"+exportID, other.Access, nil).problem(t, 404, "not_found", "")
	src.do("POST", "/api/v1/exports", stays.Access, nil).problem(t, 403, "forbidden", "")

	checkSourceAudit(t, src, owner, stays, exportID, keep)

	// A new workspace elsewhere, the same owner and one of the agents.
	c := startCluster(t, 1, 1, 1)
	dst := c.gateways[0]
	owner2 := dst.signupAs("Round Trip Outfitters", owner.Email)
	stays2 := dst.inviteAs(owner2, "agent", stays.Email)
	dst.doWith("POST", "/api/v1/imports", owner2.Access, "not a zip", "application/zip").problem(t, 400, "invalid", "file")
	dst.doWith("POST", "/api/v1/imports", stays2.Access, first.Raw, "application/zip").problem(t, 403, "forbidden", "")
	imported := dst.importArchive(t, owner2, first.Raw)
	counts, _ := imported.Body["counts"].(map[string]any)
	for _, f := range []string{"conversations.jsonl", "messages.jsonl"} {
		if want := fileCount(first, f); counts[f] != float64(want) {
			t.Errorf("import counts %s: %v, want %d (%s)", f, counts[f], want, imported.Raw)
		}
	}
	dst.doWith("POST", "/api/v1/imports", owner2.Access, first.Raw, "application/zip").problem(t, 409, "conflict", "")
	if l := dst.do("GET", "/api/v1/imports", owner2.Access, nil).must(t, 200); len(l.Body["imports"].([]any)) != 1 {
		t.Errorf("imports: %s", l.Raw)
	}
	// The inbox shows the imported conversation with every message, the note included.
	msgs := dst.do("GET", "/api/v1/conversations/"+a+"/messages?limit=500", stays2.Access, nil).must(t, 200).Body["messages"].([]any)
	if len(msgs) != 7 {
		t.Errorf("the imported conversation has %d messages, want 7", len(msgs))
	}
	if got := dst.do("GET", "/api/v1/conversations/"+a, stays2.Access, nil).must(t, 200); got.str("assignee_id") != stays2.UserID {
		t.Errorf("the imported conversation's assignee: %s, want the new id %s", got.str("assignee_id"), stays2.UserID)
	}
	started := dst.audited(t, owner2.Access, contracts.AuditImportStarted, "")
	checkActor(t, started, owner2)
	dst.audited(t, owner2.Access, contracts.AuditImportFinished, "")

	second, _ := dst.export(t, owner2.Access)
	compareArchives(t, first, second, map[string]string{owner.UserID: owner2.UserID, stays.UserID: stays2.UserID},
		[]string{leaves.UserID})
}

func fileCount(a archive, name string) int64 {
	for _, f := range a.Manifest.Files {
		if f.Name == name {
			return f.Count
		}
	}
	return -1
}

// checkExportContent checks that the archive holds what the workspace holds.
func checkExportContent(t *testing.T, a archive, owner, stays, leaves account, convs []string) {
	t.Helper()
	if a.Manifest.Tenant.ID != owner.TenantID || a.Manifest.Tenant.Name != "Round Trip Outfitters" {
		t.Errorf("manifest tenant %+v", a.Manifest.Tenant)
	}
	members := a.rows(t, "members.jsonl")
	var ids []string
	for _, m := range members {
		ids = append(ids, fmt.Sprint(m["id"]))
		for k := range m {
			if strings.Contains(k, "password") || strings.Contains(k, "hash") || strings.Contains(k, "token") || strings.Contains(k, "secret") {
				t.Errorf("members.jsonl has a credential column %q", k)
			}
		}
	}
	slices.Sort(ids)
	want := []string{owner.UserID, stays.UserID, leaves.UserID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("members.jsonl ids %v, want %v", ids, want)
	}
	var got []string
	for _, c := range a.rows(t, "conversations.jsonl") {
		got = append(got, fmt.Sprint(c["id"]))
		if _, ok := c["tenant_id"]; ok {
			t.Errorf("conversations.jsonl has a tenant_id column")
		}
	}
	slices.Sort(got)
	convs = slices.Clone(convs)
	slices.Sort(convs)
	if !slices.Equal(got, convs) {
		t.Errorf("conversations.jsonl ids %v, want %v", got, convs)
	}
	notes, seqs := 0, map[string][]float64{}
	for _, m := range a.rows(t, "messages.jsonl") {
		if m["private"] == true {
			notes++
		}
		cid := fmt.Sprint(m["conversation_id"])
		seq, _ := m["seq"].(float64)
		seqs[cid] = append(seqs[cid], seq)
		if m["id"] == nil || m["created_at"] == nil || m["author"] == nil && m["author_id"] == nil {
			t.Errorf("a message without id, created_at or author: %v", m)
		}
	}
	if notes != 2 {
		t.Errorf("messages.jsonl has %d private notes, want 2", notes)
	}
	for cid, s := range seqs {
		slices.Sort(s)
		for i, v := range s {
			if v != float64(i+1) {
				t.Errorf("conversation %s: seqs %v", cid, s)
				break
			}
		}
	}
	if b := a.rows(t, "bookings.jsonl"); len(b) != 1 || b[0]["email"] != "bea@example.com" {
		t.Errorf("bookings.jsonl: %v", b)
	}
	if n := len(a.rows(t, "canned_responses.jsonl")); n != 2 {
		t.Errorf("canned_responses.jsonl has %d rows, want 2", n)
	}
	if !bytes.Contains(a.Files["visitors.jsonl"], []byte("vera-roundtrip@example.com")) {
		t.Errorf("visitors.jsonl lacks the visitor's email")
	}
	if s := a.Files["settings.json"]; !bytes.Contains(s, []byte("#aa3300")) || !bytes.Contains(s, []byte("Bike fitting")) {
		t.Errorf("settings.json lacks the widget colour or the bot:\n%s", s)
	}
	if len(a.rows(t, "audit_log.jsonl")) == 0 {
		t.Errorf("audit_log.jsonl is empty")
	}
}

// checkSourceAudit checks the audit log of the exported workspace: who did
// what, from where, what changed, never a secret; the filters and paging.
func checkSourceAudit(t *testing.T, p *parley, owner, agent account, exportID string, keep secrets) {
	t.Helper()
	settings := p.audited(t, owner.Access, contracts.AuditSettingsUpdated, "")
	checkActor(t, settings, owner)
	if !bytes.Contains(settings.After, []byte("#aa3300")) && !bytes.Contains(settings.After, []byte(`"retention_days":30`)) {
		t.Errorf("settings.updated after = %s, before = %s", settings.After, settings.Before)
	}
	if len(settings.Before) == 0 {
		t.Errorf("settings.updated has no before")
	}
	for _, action := range []string{contracts.AuditSecretRotated, contracts.AuditAPIKeyCreated, contracts.AuditCannedCreated,
		contracts.AuditBotUpdated, contracts.AuditInviteCreated, contracts.AuditExportRequested, contracts.AuditExportDownloaded} {
		checkActor(t, p.audited(t, owner.Access, action, ""), owner)
	}
	if e := p.audited(t, owner.Access, contracts.AuditExportDownloaded, exportID); e.TargetID != exportID {
		t.Errorf("export.downloaded target %q", e.TargetID)
	}
	all := p.auditLog(t, owner.Access, "limit=200")
	raw, _ := json.Marshal(all)
	keep.in(t, "the audit log", raw)

	// Paging with a small limit walks the same entries, newest first, once each.
	paged := p.auditLog(t, owner.Access, "limit=3")
	if len(paged) != len(all) {
		t.Errorf("paging by 3 gives %d entries, one page of 200 %d", len(paged), len(all))
	}
	seen := map[string]bool{}
	for i, e := range paged {
		if seen[e.ID] || i > 0 && e.OccurredAt.After(paged[i-1].OccurredAt) {
			t.Errorf("entry %d (%s) repeated or out of order", i, e.ID)
		}
		seen[e.ID] = true
	}
	for _, e := range p.auditLog(t, owner.Access, "action=member.&limit=200") {
		if !strings.HasPrefix(e.Action, "member.") {
			t.Errorf("action=member. gave %s", e.Action)
		}
	}
	for _, e := range p.auditLog(t, owner.Access, "actor_id="+owner.UserID) {
		if e.Actor.ID != owner.UserID {
			t.Errorf("actor_id filter gave %+v", e.Actor)
		}
	}
	future := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
	if got := p.auditLog(t, owner.Access, "since="+future); len(got) != 0 {
		t.Errorf("since an hour from now: %d entries", len(got))
	}
	if got := p.auditLog(t, owner.Access, "until=2000-01-01T00:00:00Z"); len(got) != 0 {
		t.Errorf("until 2000: %d entries", len(got))
	}
	for q, field := range map[string]string{"since=yesterday": "since", "until=2026-13-01": "until", "limit=0": "limit", "limit=201": "limit"} {
		p.do("GET", "/api/v1/audit-log?"+q, owner.Access, nil).problem(t, 400, "invalid", field)
	}
	p.do("GET", "/api/v1/audit-log", agent.Access, nil).problem(t, 403, "forbidden", "")
}

// compareArchives checks that every file the import reads back (those of
// the conversation and tenant services) is the same in the second export,
// row by row, after the documented mapping: member ids of the old workspace
// become the new ids of the members with the same email; a row assigned to
// a member without a match has its assignee cleared; authors keep their ids.
// The audit log of the new workspace holds the old entries and its own.
func compareArchives(t *testing.T, first, second archive, memberMap map[string]string, unmapped []string) {
	t.Helper()
	for _, f := range first.Manifest.Files {
		if f.Service != contracts.ServiceConversation && f.Service != contracts.ServiceTenant {
			continue
		}
		data, ok := second.Files[f.Name]
		if !ok {
			t.Errorf("the second export lacks %s", f.Name)
			continue
		}
		if svc := second.service(f.Name); svc != f.Service {
			t.Errorf("%s written by %s, then by %s", f.Name, f.Service, svc)
		}
		switch {
		case f.Name == "audit_log.jsonl":
			have := map[string]bool{}
			for _, r := range jsonLines(t, f.Name, data) {
				have[canonical(r)] = true
			}
			for i, r := range first.rows(t, f.Name) {
				if !have[canonical(r)] && !have[canonical(mapRow(r, memberMap, unmapped))] {
					t.Errorf("audit_log.jsonl: entry %d of the first export is not in the second: %s", i+1, canonical(r))
				}
			}
		case strings.HasSuffix(f.Name, ".jsonl"):
			want, got := first.rows(t, f.Name), jsonLines(t, f.Name, data)
			if len(want) != len(got) {
				t.Errorf("%s: %d rows, then %d", f.Name, len(want), len(got))
				continue
			}
			for i := range want {
				if w, g := canonical(mapRow(want[i], memberMap, unmapped)), canonical(got[i]); w != g {
					t.Errorf("%s row %d:\nwant %s\n got %s", f.Name, i+1, w, g)
				}
			}
		case strings.HasSuffix(f.Name, ".csv"):
			compareCSV(t, f.Name, first.Files[f.Name], data, memberMap, unmapped)
		case strings.HasSuffix(f.Name, ".json"):
			var w, g any
			_ = json.Unmarshal(first.Files[f.Name], &w)
			_ = json.Unmarshal(data, &g)
			if f.Name == "settings.json" {
				// The workspace's own id and creation time are the new
				// workspace's: the import fills a workspace, it does not
				// recreate it. Its name and slug are compared.
				for _, doc := range []any{w, g} {
					if m, ok := doc.(map[string]any)["tenant"].(map[string]any); ok {
						delete(m, "id")
						delete(m, "created_at")
					}
				}
			}
			if cw, cg := canonical(mapValue(w, memberMap)), canonical(g); cw != cg {
				t.Errorf("%s:\nwant %s\n got %s", f.Name, cw, cg)
			}
		}
	}
}

// mapRow applies the member mapping to one exported row.
func mapRow(row map[string]any, memberMap map[string]string, unmapped []string) map[string]any {
	out := mapValue(row, memberMap).(map[string]any)
	if assignedToUnmapped(row, unmapped) {
		for k := range out {
			if strings.Contains(k, "assignee") {
				delete(out, k)
			}
		}
	}
	return out
}

func assignedToUnmapped(row map[string]any, unmapped []string) bool {
	for k, v := range row {
		if !strings.Contains(k, "assignee") {
			continue
		}
		if s, ok := v.(string); ok && slices.Contains(unmapped, s) {
			return true
		}
		if m, ok := v.(map[string]any); ok && slices.Contains(unmapped, fmt.Sprint(m["id"])) {
			return true
		}
	}
	return false
}

// mapValue replaces every string that is a mapped member id.
func mapValue(v any, memberMap map[string]string) any {
	switch v := v.(type) {
	case string:
		if n, ok := memberMap[v]; ok {
			return n
		}
		return v
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = mapValue(x, memberMap)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = mapValue(x, memberMap)
		}
		return out
	}
	return v
}

// canonical is a value's JSON with keys sorted and empty values (null,
// "", absent) treated alike.
func canonical(v any) string {
	b, _ := json.Marshal(dropEmpty(v))
	return string(b)
}

func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x == nil || x == "" {
				continue
			}
			out[k] = dropEmpty(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = dropEmpty(x)
		}
		return out
	}
	return v
}

func compareCSV(t *testing.T, name string, a, b []byte, memberMap map[string]string, unmapped []string) {
	t.Helper()
	want, err1 := csv.NewReader(bytes.NewReader(a)).ReadAll()
	got, err2 := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) != len(got) || !slices.Equal(want[0], got[0]) {
		t.Errorf("%s: %d records (%v), then %d (%v), headers %v / %v", name, len(want), err1, len(got), err2, headerOf(want), headerOf(got))
		return
	}
	header := want[0]
	for i := 1; i < len(want); i++ {
		row := slices.Clone(want[i])
		clear := false
		for j, cell := range row {
			if strings.Contains(header[j], "assignee") && slices.Contains(unmapped, cell) {
				clear = true
			}
			if n, ok := memberMap[cell]; ok {
				row[j] = n
			}
		}
		for j := range row {
			if clear && strings.Contains(header[j], "assignee") {
				row[j] = ""
			}
		}
		if !slices.Equal(row, got[i]) {
			t.Errorf("%s record %d:\nwant %q\n got %q", name, i, row, got[i])
		}
	}
}

func headerOf(recs [][]string) []string {
	if len(recs) == 0 {
		return nil
	}
	return recs[0]
}

// erasable is a visitor with everything Parley can hold about them.
type erasable struct {
	v                               visitor
	name, email, externalID, marker string
	convs                           []string
}

// needles are the visitor's personal data (never ids: the audit log keeps those).
func (e erasable) needles() []string { return []string{e.name, e.email, e.externalID, e.marker} }

// seedErasable creates an identified visitor who booked an appointment,
// wrote messages with a unique marker, got an answer by email and a note.
func seedErasable(t *testing.T, p *parley, mp *testkit.Mailpit, owner account) erasable {
	t.Helper()
	key := p.widgetKey(owner)
	secret := p.do("GET", "/api/v1/settings/identity-secret", owner.Access, nil).must(t, 200).str("secret")
	x := tag()
	e := erasable{name: "Erin Forgetme" + x, email: "forget" + x + "@example.com", externalID: "cust" + x, marker: "marker" + x}
	s := p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{
		"identity": map[string]string{"id": e.externalID, "name": e.name, "email": e.email, "user_hash": userHash(secret, e.externalID)},
	}).must(t, 200)
	e.v = visitor{ID: s.str("visitor.id"), Token: s.str("visitor_token")}
	p.do("PUT", "/api/v1/bot", owner.Access, botConfig("appointments")).must(t, 200)
	e.convs = append(e.convs, p.book(t, e.v, e.name, e.email))
	bot := botConfig("faq")
	bot["enabled"] = false
	p.do("PUT", "/api/v1/bot", owner.Access, bot).must(t, 200)
	conv := p.startConversation(e.v, "My order "+e.marker+" never came").str("conversation.id")
	e.convs = append(e.convs, conv)
	p.say(t, e.v, conv, "Please call me, "+e.marker)
	p.answer(owner, conv, "Sorry "+e.name+", we will look into "+e.marker)
	p.note(owner, conv, "customer "+e.email+" is upset about "+e.marker)
	mp.WaitFor(t, e.email, 1, 30*time.Second)
	return e
}

// An erased visitor leaves nothing behind: not in any table of any service
// (SQLite and PostgreSQL), not in any JetStream stream or object (an earlier
// export included). Their token is refused at once; another visitor's
// conversation stays.
func TestVisitorErasureLeavesNothing(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		rig := startData(t, d)
		p := rig.parley
		owner := p.signup("Erasure Emporium")
		agent := p.invite(owner, "agent")
		e := seedErasable(t, p, rig.mail, owner)
		keepMarker := "keep" + tag()
		other := p.newVisitor(p.widgetKey(owner))
		kept := p.startConversation(other, "unrelated "+keepMarker).str("conversation.id")

		// The visitor's data as they may ask for it.
		ex := p.do("GET", "/api/v1/visitors/"+e.v.ID+"/export", owner.Access, nil).must(t, 200)
		if !attachment(ex.Header, "parley-visitor-"+e.v.ID, ".json") {
			t.Errorf("Content-Disposition %q", ex.Header.Get("Content-Disposition"))
		}
		var data contracts.VisitorExport
		if err := json.Unmarshal(ex.Raw, &data); err != nil || data.Visitor.ID != e.v.ID || len(data.Conversations) != 2 ||
			len(data.Bookings) != 1 || len(data.Emails.Emails) == 0 || !bytes.Contains(ex.Raw, []byte(e.marker)) {
			t.Errorf("visitor export (%v): %s", err, ex.Raw)
		}
		self := p.do("GET", "/api/v1/widget/visitor/export", e.v.Token, nil).must(t, 200)
		if bytes.Contains(self.Raw, []byte("is upset about")) || !bytes.Contains(self.Raw, []byte("never came")) {
			t.Errorf("the visitor's own export shows the private note or lacks their words: %s", self.Raw)
		}
		p.do("GET", "/api/v1/visitors/"+e.v.ID+"/export", agent.Access, nil).problem(t, 403, "forbidden", "")
		p.export(t, owner.Access) // an archive in the Object Store that holds the visitor

		// Before: the search finds what it looks for, where it should.
		for _, where := range []string{"conversation", "notify"} {
			rig.held.holds(t, dbPrefix(d, where), e.email)
		}
		rig.held.holds(t, "stream CONVERSATION", e.marker)
		rig.held.holds(t, "object "+contracts.DataBucket, e.marker)

		p.do("DELETE", "/api/v1/visitors/"+e.v.ID, agent.Access, nil).problem(t, 403, "forbidden", "")
		held := 0
		for _, c := range e.convs {
			held += len(p.do("GET", "/api/v1/conversations/"+c+"/messages?limit=500", owner.Access, nil).must(t, 200).Body["messages"].([]any))
		}
		gone := p.do("DELETE", "/api/v1/visitors/"+e.v.ID, owner.Access, nil).must(t, 200)
		if gone.str("visitor_id") != e.v.ID || gone.Body["conversations"] != float64(2) || gone.num("messages") != float64(held) {
			t.Errorf("erasure: %s, want 2 conversations and %d messages", gone.Raw, held)
		}
		p.do("GET", "/api/v1/widget/conversations", e.v.Token, nil).problem(t, 401, "unauthenticated", "")
		p.do("DELETE", "/api/v1/visitors/"+e.v.ID, owner.Access, nil).problem(t, 404, "not_found", "")
		p.do("GET", "/api/v1/conversations/"+e.convs[1], owner.Access, nil).problem(t, 404, "not_found", "")

		rig.held.noneLeft(t, 60*time.Second, e.needles()...)
		p.do("GET", "/api/v1/conversations/"+kept, owner.Access, nil).must(t, 200)
		rig.held.holds(t, dbPrefix(d, "conversation"), keepMarker)

		erased := p.audited(t, owner.Access, contracts.AuditVisitorErased, e.v.ID)
		checkActor(t, erased, owner)
		checkActor(t, p.audited(t, owner.Access, contracts.AuditVisitorExported, e.v.ID), owner)
		if raw, _ := json.Marshal(erased); len(matches(string(raw), e.needles())) > 0 {
			t.Errorf("the audit entry holds personal data: %s", raw)
		}

		// A visitor can erase themself from the widget.
		p.say(t, other, kept, "forget me too")
		mine := p.do("DELETE", "/api/v1/widget/visitor", other.Token, nil).must(t, 200)
		if mine.str("visitor_id") != other.ID || mine.Body["conversations"] != float64(1) {
			t.Errorf("self-erasure: %s", mine.Raw)
		}
		p.do("GET", "/api/v1/widget/conversations", other.Token, nil).problem(t, 401, "unauthenticated", "")
		rig.held.noneLeft(t, 60*time.Second, keepMarker, "forget me too")
	})
}

// dbPrefix is how find names a service's tables on d.
func dbPrefix(d testkit.DB, service string) string {
	if d.Name == "postgres" {
		return service + "/"
	}
	return service + ".db/"
}

// Notify is killed (SIGKILL) before an erasure and started again after it:
// its durable consumer picks the event up and the erasure completes there.
func TestErasureFinishesAfterACrash(t *testing.T) {
	t.Parallel()
	mp := testkit.StartMailpit(t)
	c := startCluster(t, 1, 1, 1, "PARLEY_SMTP_URL="+mp.SMTPURL(), "PARLEY_EMAIL_FROM=Parley <no-reply@parley.test>", "PARLEY_NOTIFY_VISITOR_DELAY=1s")
	p := c.gateways[0]
	owner := p.signup("Crashing Cycles")
	e := seedErasable(t, p, mp, owner)
	c.held.holds(t, "notify/", e.email)

	c.procs["notify"].kill()
	c.procs["notify"].wait()
	p.do("DELETE", "/api/v1/visitors/"+e.v.ID, owner.Access, nil).must(t, 200)
	p.do("GET", "/api/v1/widget/conversations", e.v.Token, nil).problem(t, 401, "unauthenticated", "")
	// Conversation is done; notify, down, still holds its part.
	testkit.Eventually(t, 30*time.Second, func() error {
		if hits := findInPostgres(t, c.held.pgPrefix+"conversation", e.needles()); len(hits) > 0 {
			return fmt.Errorf("conversation still holds %v", hits)
		}
		return nil
	})
	c.held.holds(t, "notify/", e.email)

	c.run("notify")
	c.held.noneLeft(t, 60*time.Second, e.needles()...)
}

// Closing a workspace: at once every token is refused, the widget key is
// unknown and logins fail; then no table of any service holds a row of the
// tenant and no stream (but tenant's own) an event of it. Another tenant
// is untouched.
func TestWorkspaceDeletion(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		rig := startData(t, d)
		p := rig.parley
		owner := p.signup("Closing Down Ltd")
		admin := p.invite(owner, "admin")
		apiKey := p.do("POST", "/api/v1/api-keys", owner.Access, map[string]string{"name": "bot"}).must(t, 201).str("key")
		p.do("POST", "/api/v1/canned-responses", owner.Access, map[string]string{"shortcut": "hi", "body": "Hi!"}).must(t, 201)
		key := p.widgetKey(owner)
		v := p.visitorWithEmail(key, "closing"+tag()+"@example.com", "en")
		conv := p.startConversation(v, "are you still there?").str("conversation.id")
		p.answer(owner, conv, "For now.")
		p.export(t, owner.Access)

		control := p.signup("Still Open Ltd")
		cv := p.newVisitor(p.widgetKey(control))
		p.startConversation(cv, "hello")

		p.do("DELETE", "/api/v1/tenant", owner.Access, map[string]string{"confirm_name": "closing down ltd"}).problem(t, 400, "invalid", "confirm_name")
		p.do("DELETE", "/api/v1/tenant", admin.Access, map[string]string{"confirm_name": "Closing Down Ltd"}).problem(t, 403, "forbidden", "")
		p.do("DELETE", "/api/v1/tenant", owner.Access, map[string]string{"confirm_name": "Closing Down Ltd"}).must(t, 204)

		for who, token := range map[string]string{"owner": owner.Access, "admin": admin.Access, "api key": apiKey} {
			if r := p.do("GET", "/api/v1/conversations", token, nil); r.Status != 401 {
				t.Errorf("%s's token after the deletion: %d %s", who, r.Status, r.Raw)
			}
		}
		p.do("GET", "/api/v1/widget/conversations", v.Token, nil).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": owner.Refresh}).problem(t, 401, "unauthenticated", "")
		p.do("POST", "/api/v1/widget/"+key+"/session", "", map[string]any{}).problem(t, 404, "not_found", "")
		p.do("POST", "/api/v1/auth/login", "", map[string]string{"email": owner.Email, "password": owner.Password}).problem(t, 401, "unauthenticated", "")

		held := rig.held
		held.skipStreams = []string{contracts.TenantStream.Name}
		// Tenant keeps the tenant row as a tombstone (its id and status, so
		// the id is never reused; services/tenant/internal/app/doc.go): that
		// one row is allowed, and it must hold nothing of the workspace.
		tombstone := dbPrefix(d, "tenant") + "tenants: " + owner.TenantID
		testkit.Eventually(t, 90*time.Second, func() error {
			var left []string
			for _, hit := range held.find(t, owner.TenantID, "Closing Down Ltd", "closing-down-ltd", key) {
				if hit != tombstone {
					left = append(left, hit)
				}
			}
			if len(left) > 0 {
				return fmt.Errorf("still held:\n  %s", strings.Join(left, "\n  "))
			}
			return nil
		})

		p.do("GET", "/api/v1/conversations", control.Access, nil).must(t, 200)
		held.holds(t, dbPrefix(d, "conversation"), control.TenantID)
	})
}
