package dialogue

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hiec/hiecbot/bot/fakes"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// bidsEngine is confident about questions mentioning bids and can cite
// slide 15 of the guide.
func bidsEngine() *fakes.Engine {
	return &fakes.Engine{
		Keywords: []string{"bids"},
		Answers: []knowledge.Answer{
			{Source: "Guide", Ref: "slide 17", Title: "Application process", Text: "Detailed bids by 19 Oct", Citation: "Guide, slide 17: Application process", Score: 2.5},
			{Source: "Guide", Ref: "slide 16", Title: "How do we make this happen?", Text: "Period of informal dialogue May to 1 Sept", Citation: "Guide, slide 16: How do we make this happen?", Score: 1.6},
		},
		Passages: []knowledge.Answer{
			{Source: "Guide", Ref: "slide 15", Title: "Governance – legal entity", Citation: "Guide, slide 15: Governance – legal entity", Text: "A HIEC may take any legal form."},
		},
	}
}

// recorder is a Notifier that remembers what it was asked to send.
type recorder struct {
	mu        sync.Mutex
	nsg       []store.Question
	delivered []store.Question
	published []store.Clarification
	clarified []string // "user C-001"
	fail      bool
	// failPublish makes the post to every bidder fail.
	failPublish bool
}

func (r *recorder) NotifyNSG(_ context.Context, q store.Question) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nsg = append(r.nsg, q)
	return nil
}

func (r *recorder) DeliverAnswer(_ context.Context, q store.Question) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("slack is down")
	}
	r.delivered = append(r.delivered, q)
	return nil
}

func (r *recorder) Publish(_ context.Context, c store.Clarification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failPublish {
		return errors.New("is_archived")
	}
	r.published = append(r.published, c)
	return nil
}

func (r *recorder) DeliverClarification(_ context.Context, user string, c store.Clarification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clarified = append(r.clarified, user+" "+c.ID)
	return nil
}

const staffID = "UNSG"

// questionID matches an internal question id, which no bidder may see.
var questionID = regexp.MustCompile(`(?i)\bQ-?\d{2,}`)

// noQuestionID fails when a text meant for a bidder shows a question id.
func noQuestionID(t *testing.T, what, text string) {
	t.Helper()
	if id := questionID.FindString(text); id != "" {
		t.Errorf("%s shows the internal id %s to a bidder:\n%s", what, id, text)
	}
}

type fixture struct {
	desk   *Desk
	store  *store.Store
	engine *fakes.Engine
	note   *recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, engine: bidsEngine(), note: &recorder{}}
	f.desk = New(f.engine, st, Options{
		Staff:    func(id string) bool { return id == staffID },
		Timeline: reminders.TimelineOf(config.Default().Reminders),
		Location: config.Default().Reminders.Location(),
		Notifier: f.note,
		Ledger:   st.Ledger(),
		Now:      func() time.Time { return time.Date(2009, 10, 5, 9, 0, 0, 0, time.UTC) },
	})
	return f
}

var bidder = Asker{UserID: "UBID", UserName: "alice", TeamID: "T1", ChannelID: "D1", ThreadTS: "1.0", Via: ViaDM}

func (f *fixture) count(t *testing.T, st ...store.Status) int {
	t.Helper()
	n, err := f.store.Count(store.Filter{Status: st})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAskConfidentIsLoggedAsAnswered(t *testing.T) {
	f := newFixture(t)
	r, err := f.desk.Ask(context.Background(), bidder, "  When are detailed bids due? ")
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != KindAnswer || r.Question == nil {
		t.Fatalf("reply = %+v", r)
	}
	for _, want := range []string{"Guide, slide 17: Application process", "> Detailed bids by 19 Oct", "See also: Guide, slide 16"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("reply text lacks %q:\n%s", want, r.Text)
		}
	}
	noQuestionID(t, "the answer", r.Text)
	q, err := f.store.Get(r.Question.ID)
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != store.StatusAnswered || !q.Confident || q.Question != "When are detailed bids due?" ||
		q.UserID != "UBID" || q.Via != ViaDM || q.ThreadTS != "1.0" || len(q.Refs) != 2 || q.Refs[0].Score != 2.5 {
		t.Errorf("logged %+v", q)
	}
	f.desk.Wait()
	if len(f.note.nsg) != 0 {
		t.Errorf("a confident answer was sent to the NSG: %+v", f.note.nsg)
	}
}

func TestAskNotCoveredGoesToNSG(t *testing.T) {
	f := newFixture(t)
	r, err := f.desk.Ask(context.Background(), bidder, "Can we pay staff overtime from the grant?")
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != KindNotCovered || !strings.Contains(r.Text, "clearly answers") {
		t.Fatalf("reply = %+v", r)
	}
	noQuestionID(t, "the not-covered reply", r.Text)
	f.desk.Wait()
	if len(f.note.nsg) != 1 || f.note.nsg[0].ID != r.Question.ID {
		t.Errorf("NSG notices = %+v", f.note.nsg)
	}
	if f.count(t, store.StatusAwaiting) != 1 {
		t.Error("question not logged as awaiting")
	}
}

func TestSmallTalkIsNotLogged(t *testing.T) {
	f := newFixture(t)
	for _, text := range []string{"hello", "Hi there!", "thanks", "Thank you very much", "help", "what can you do?", "good morning", "bye"} {
		r, err := f.desk.Ask(context.Background(), bidder, text)
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != KindSmallTalk || r.Text == "" {
			t.Errorf("%q: reply %+v", text, r)
		}
	}
	if n := f.count(t); n != 0 {
		t.Errorf("small talk logged %d questions", n)
	}
	f.desk.Wait()
	if len(f.note.nsg) != 0 {
		t.Error("small talk reached the NSG")
	}
}

func TestSmallTalkClassifier(t *testing.T) {
	tests := map[string]bool{
		"hello":                             true,
		"hey bot":                           true,
		"thanks a lot!":                     true,
		"hello, when are bids due?":         false,
		"help me understand the governance": false,
		"who can help with our bid":         false,
		"Thanks. What is the OJEU advert?":  false,
		"Morning! How are you today?":       true,
		"Thanks, that's all I needed.":      true,
		"you there?":                        true,
		"lol":                               true,
		"How are you? When are bids due?":   false,
		"how are bids judged":               false,
	}
	for text, want := range tests {
		if got := smallTalk(text) != notSmallTalk; got != want {
			t.Errorf("smallTalk(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestEmptyQuestion(t *testing.T) {
	f := newFixture(t)
	_, err := f.desk.Ask(context.Background(), bidder, "  \t ")
	if !errors.Is(err, knowledge.ErrEmptyQuestion) || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("err = %v", err)
	}
	r, err := f.desk.Command(context.Background(), bidder, "ask")
	if err != nil || r.Kind != KindRefused || !strings.Contains(r.Text, "/hiec ask") {
		t.Fatalf("ask with nothing: %+v, %v", r, err)
	}
}

func TestStaffCommandsRefusedToBidders(t *testing.T) {
	f := newFixture(t)
	r, _ := f.desk.Ask(context.Background(), Asker{UserID: "UOTHER", Via: ViaDM}, "Secret question about our consortium bids")
	for _, cmd := range []string{"questions", "questions all", "show " + r.Question.ID, "answer " + r.Question.ID + " yes", "publish " + r.Question.ID, "export csv"} {
		rep, err := f.desk.Command(context.Background(), bidder, cmd)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Kind != KindRefused || !rep.Private || rep.File != nil {
			t.Errorf("%q: %+v", cmd, rep)
		}
		if strings.Contains(rep.Text, "consortium") || strings.Contains(rep.Text, "UOTHER") {
			t.Errorf("%q: refusal reveals another bidder's question: %s", cmd, rep.Text)
		}
	}
	q, _ := f.store.Get(r.Question.ID)
	if q.Status != store.StatusAnswered || q.NSGAnswer != "" {
		t.Errorf("a refused command changed the question: %+v", q)
	}
}

func TestAnswerPublishFlow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, bidder, "Can a charity lead the cluster?")
	id := r.Question.ID

	list, _ := f.desk.Command(ctx, Asker{UserID: staffID}, "questions")
	if !strings.Contains(list.Text, id) || !strings.Contains(list.Text, "charity") {
		t.Errorf("open questions list lacks %s:\n%s", id, list.Text)
	}
	rep, err := f.desk.Command(ctx, Asker{UserID: staffID}, "answer "+id+" Yes, a charity is one of the legal forms in the guide.")
	if err != nil || rep.Kind != KindText || !strings.Contains(rep.Text, "Answered "+id) {
		t.Fatalf("answer: %+v, %v", rep, err)
	}
	f.desk.Wait()
	q, _ := f.store.Get(id)
	if q.Status != store.StatusNSGAnswered || q.AnsweredBy != staffID {
		t.Errorf("after answer: %+v", q)
	}
	if len(f.engine.Clarifications()) != 0 {
		t.Errorf("an unpublished answer was indexed for other bidders: %v", f.engine.Clarifications())
	}
	if len(f.note.delivered) != 1 || f.note.delivered[0].UserID != bidder.UserID {
		t.Errorf("delivered = %+v", f.note.delivered)
	}

	// Without wording, publish shows the draft and publishes nothing.
	rep, _ = f.desk.Command(ctx, Asker{UserID: staffID}, "publish "+id)
	if rep.Kind != KindPublishDraft || rep.Draft == nil || !strings.Contains(rep.Text, "> Can a charity lead the cluster?") || !strings.Contains(rep.Text, "as is") {
		t.Fatalf("publish draft: %+v", rep)
	}
	f.desk.Wait()
	if len(f.note.published) != 0 {
		t.Fatalf("a draft was published: %+v", f.note.published)
	}
	rep, _ = f.desk.Command(ctx, Asker{UserID: staffID}, "publish "+id+" question: May a charity lead a cluster? answer: Yes: a charity is one of the legal forms.")
	if !strings.Contains(rep.Text, "Published "+id+" as clarification C-001") {
		t.Fatalf("publish: %+v", rep)
	}
	f.desk.Wait()
	if len(f.note.published) != 1 {
		t.Fatalf("published = %+v", f.note.published)
	}
	c := f.note.published[0]
	if c.ID != "C-001" || c.Question != "May a charity lead a cluster?" || c.Answer != "Yes: a charity is one of the legal forms." {
		t.Errorf("clarification = %+v", c)
	}
	if len(f.note.clarified) != 1 || f.note.clarified[0] != bidder.UserID+" C-001" {
		t.Errorf("clarification DMs = %v; want the asker's", f.note.clarified)
	}
	if got := f.engine.Clarifications()[c.ID]; !strings.Contains(got, "May a charity lead a cluster? => Yes: a charity is one of") {
		t.Errorf("the published clarification was not indexed: %v", f.engine.Clarifications())
	}

	// Bad input changes nothing.
	for cmd, want := range map[string]string{
		"answer " + id + " again":   "published",
		"answer Q-9999 text":        "Q-9999",
		"answer " + id:              "Write the id and the answer",
		"publish Q-9999":            "Q-9999",
		"publish " + id + " as is":  "already published as C-001",
		"questions nonsense":        "nonsense",
		"export pdf":                "pdf",
		"export csv since 20091001": "20091001",
	} {
		rep, err := f.desk.Command(ctx, Asker{UserID: staffID}, cmd)
		if err != nil || rep.Kind != KindRefused || !strings.Contains(rep.Text, want) {
			t.Errorf("%q: %+v, %v; want a refusal mentioning %q", cmd, rep, err, want)
		}
	}
	if after, _ := f.store.Get(id); after.Status != store.StatusPublished || after.NSGAnswer != q.NSGAnswer {
		t.Errorf("bad input changed the question: %+v", after)
	}
}

func TestExportCommand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{"When are bids due?", "=HYPERLINK(\"x\") bids"} {
		if _, err := f.desk.Ask(ctx, bidder, q); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := f.desk.Command(ctx, Asker{UserID: staffID}, "export csv since 2000-01-01")
	if err != nil || rep.Kind != KindFile || rep.File == nil || rep.File.Rows != 2 {
		t.Fatalf("export: %+v, %v", rep, err)
	}
	var exports []store.AuditEntry
	_ = f.store.AuditEach(func(e store.AuditEntry) error {
		if e.Action == store.ActionExport {
			exports = append(exports, e)
		}
		return nil
	})
	if len(exports) != 1 || exports[0].By != staffID || !slices.Contains(exports[0].Changes, store.Change{Field: "rows", To: "2"}) {
		t.Errorf("the export is not on the record: %+v", exports)
	}
	if !strings.HasSuffix(rep.File.Name, ".csv") {
		t.Errorf("file name %q", rep.File.Name)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rep.File.Data, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv rows = %d, %v", len(rows), err)
	}
	rep, _ = f.desk.Command(ctx, Asker{UserID: staffID}, "export json since 2100-01-01")
	if rep.File == nil || rep.File.Rows != 0 {
		t.Errorf("future export: %+v", rep)
	}
}

func TestEscalateAndFeedback(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, bidder, "When are bids due?")
	id := r.Question.ID

	rep, err := f.desk.Escalate(ctx, Asker{UserID: "USOMEONE"}, id)
	if err != nil || rep.Kind != KindRefused {
		t.Fatalf("someone else escalated: %+v %v", rep, err)
	}
	rep, err = f.desk.Escalate(ctx, bidder, id)
	if err != nil || !strings.Contains(rep.Text, "gone to the National Steering Group") {
		t.Fatalf("escalate: %+v %v", rep, err)
	}
	noQuestionID(t, "the escalation reply", rep.Text)
	f.desk.Wait()
	if q, _ := f.store.Get(id); q.Status != store.StatusAwaiting {
		t.Errorf("status %s after escalate", q.Status)
	}
	if len(f.note.nsg) != 1 {
		t.Errorf("NSG notices = %d, want 1", len(f.note.nsg))
	}
	// Pressing it twice notifies once.
	if _, err := f.desk.Escalate(ctx, bidder, id); err != nil {
		t.Fatal(err)
	}
	f.desk.Wait()
	if len(f.note.nsg) != 1 {
		t.Errorf("NSG notices after second press = %d, want 1", len(f.note.nsg))
	}

	if rep, _ := f.desk.Feedback(ctx, Asker{UserID: "USOMEONE"}, id, "helpful"); rep.Kind != KindRefused {
		t.Errorf("someone else's feedback accepted: %+v", rep)
	}
	if _, err := f.desk.Feedback(ctx, bidder, id, "not_helpful"); err != nil {
		t.Fatal(err)
	}
	if q, _ := f.store.Get(id); q.Feedback != "not_helpful" {
		t.Errorf("feedback = %q", q.Feedback)
	}
}

func TestDeliverPendingAfterOfflineAnswer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, bidder, "Is VAT recoverable?")
	id := r.Question.ID
	// The NSG answers from the command line while no bot runs.
	if _, err := (Offline{Store: f.store}).Answer(ctx, id, "Ask your finance team.", "nsg"); err != nil {
		t.Fatal(err)
	}
	if _, err := (Offline{Store: f.store}).Publish(ctx, id, store.Wording{}, "nsg"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := f.desk.DeliverPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.note.delivered) != 1 || len(f.note.published) != 1 || len(f.note.clarified) != 1 {
		t.Errorf("delivered %d, published %d, clarified %d; want each once", len(f.note.delivered), len(f.note.published), len(f.note.clarified))
	}
}

func TestDeliveryFailureIsRetriedAtStart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, bidder, "Is VAT recoverable?")
	f.note.fail = true
	if _, err := f.desk.AnswerQuestion(ctx, staffID, r.Question.ID, "Ask your finance team."); err != nil {
		t.Fatal(err)
	}
	f.desk.Wait()
	f.note.fail = false
	if err := f.desk.DeliverPending(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.note.delivered) != 1 {
		t.Errorf("delivered %d after recovery, want 1", len(f.note.delivered))
	}
}

// TestAskersHearAfterEveryBidder: a clarification goes by DM to its
// askers only once the post to every bidder has gone: when that post
// fails, no asker hears it alone, and the next start makes up both.
func TestAskersHearAfterEveryBidder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, bidder, "Is VAT recoverable?")
	if _, err := f.desk.AnswerQuestion(ctx, staffID, r.Question.ID, "Ask your finance team."); err != nil {
		t.Fatal(err)
	}
	f.note.failPublish = true
	if _, err := f.desk.PublishQuestion(ctx, staffID, r.Question.ID, store.Wording{}); err != nil {
		t.Fatal(err)
	}
	f.desk.Wait()
	if len(f.note.clarified) != 0 {
		t.Errorf("the asker heard the clarification though the post to every bidder failed: %v", f.note.clarified)
	}
	if err := f.desk.DeliverPending(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.note.clarified) != 0 {
		t.Errorf("at the next start, with the post still failing, the asker heard it: %v", f.note.clarified)
	}
	f.note.failPublish = false
	if err := f.desk.DeliverPending(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.note.published) != 1 || len(f.note.clarified) != 1 {
		t.Errorf("once the post works: published %d, clarified %d; want 1 and 1", len(f.note.published), len(f.note.clarified))
	}
}

func TestHomeAndDeadlines(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.desk.Ask(ctx, bidder, "What about VAT?"); err != nil {
		t.Fatal(err)
	}
	h, err := f.desk.Home(staffID)
	if err != nil || !h.Staff || h.Awaiting != 1 || len(h.Timeline) == 0 {
		t.Errorf("staff home = %+v, %v", h, err)
	}
	h, _ = f.desk.Home("UBID")
	if h.Staff || h.Awaiting != 0 {
		t.Errorf("bidder home shows staff data: %+v", h)
	}
	rep, _ := f.desk.Command(ctx, bidder, "deadlines")
	if !strings.Contains(rep.Text, "19 October 2009") || !strings.Contains(rep.Text, "14 days") {
		t.Errorf("deadlines on 5 Oct 2009:\n%s", rep.Text)
	}
	rep, _ = f.desk.Command(ctx, bidder, "frobnicate")
	if !strings.Contains(rep.Text, "frobnicate") || !strings.Contains(rep.Text, "/hiec ask") {
		t.Errorf("unknown command reply:\n%s", rep.Text)
	}
}

func TestDigest(t *testing.T) {
	f := newFixture(t)
	if s, err := f.desk.Digest(context.Background()); err != nil || s != "" {
		t.Errorf("empty digest = %q, %v", s, err)
	}
	f.desk.Ask(context.Background(), bidder, "What about VAT?")
	s, err := f.desk.Digest(context.Background())
	if err != nil || !strings.Contains(s, "1 question awaiting") || !strings.Contains(s, "VAT") {
		t.Errorf("digest = %q, %v", s, err)
	}
}

// TestCiteQuestion: citing a passage delivers it to the asker, indexes
// the question as its phrasing at once, and is on the record; a citation
// of no passage changes nothing.
func TestCiteQuestion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, _ := f.desk.Ask(ctx, bidder, "What legal shape may a cluster take?")
	id := r.Question.ID
	rep, _ := f.desk.Command(ctx, Asker{UserID: staffID}, "cite "+id+" Guide, slide 99")
	if rep.Kind != KindRefused || !strings.Contains(rep.Text, "matches no passage") {
		t.Errorf("citing no passage: %+v", rep)
	}
	rep, err := f.desk.Command(ctx, Asker{UserID: staffID}, "cite "+id+" guide, slide 15")
	if err != nil || !strings.Contains(rep.Text, "with Guide, slide 15: Governance – legal entity") {
		t.Fatalf("cite: %+v %v", rep, err)
	}
	f.desk.Wait()
	if got := f.engine.Phrasings()["What legal shape may a cluster take?"]; got != "Guide, slide 15: Governance – legal entity" {
		t.Errorf("phrasings = %v", f.engine.Phrasings())
	}
	if len(f.note.delivered) != 1 || f.note.delivered[0].Cited == "" || f.note.delivered[0].NSGAnswer != "A HIEC may take any legal form." {
		t.Errorf("delivered %+v", f.note.delivered)
	}
	h, _ := f.desk.History(id)
	if len(h) != 1 || h[0].Action != store.ActionCite || h[0].By != staffID {
		t.Errorf("history %+v", h)
	}
}

// TestEscalationIsAudited: passing a question to the NSG is on the record
// with who did it, the asker or staff acting on anyone's question.
func TestEscalationIsAudited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mine, _ := f.desk.Ask(ctx, bidder, "When are bids due?")
	theirs, _ := f.desk.Ask(ctx, Asker{UserID: "UOTHER", ChannelID: "D2", Via: ViaDM}, "When are bids due, please?")
	for _, tc := range []struct {
		who Asker
		id  string
	}{{bidder, mine.Question.ID}, {Asker{UserID: staffID}, theirs.Question.ID}} {
		if _, err := f.desk.Escalate(ctx, tc.who, tc.id); err != nil {
			t.Fatal(err)
		}
		f.desk.Wait()
		h, err := f.store.History(tc.id)
		if err != nil || len(h) != 1 || h[0].Action != store.ActionEscalate || h[0].By != tc.who.UserID {
			t.Errorf("history of %s = %+v, %v; want one escalation by %s", tc.id, h, err, tc.who.UserID)
		}
	}
	if _, err := f.store.VerifyAudit(); err != nil {
		t.Error(err)
	}
}

// TestWords: words is the regexp replacement it stands for.
func TestWords(t *testing.T) {
	nonWord := regexp.MustCompile(`[^a-z0-9' ]+`)
	for _, s := range []string{"", " ", "hello", "  hi  there ", "what's up?", "£250k, café!", "a\tb\nc", "'quoted'", "x--y", "\xff\xfebad", "ok.", "éé", "1 2  3", "thanks. what is the ojeu advert?"} {
		want := strings.Join(strings.Fields(nonWord.ReplaceAllString(s, " ")), " ")
		if got := words(s); got != want {
			t.Errorf("words(%q) = %q; want %q", s, got, want)
		}
	}
}

// TestChatPhraseLength: no message longer than maxChatPhrase is a chat
// phrase, nor does a help phrase start otherwise than smallTalk checks.
func TestChatPhraseLength(t *testing.T) {
	var longest func(re *syntax.Regexp) int
	longest = func(re *syntax.Regexp) int {
		switch re.Op {
		case syntax.OpLiteral:
			return len(string(re.Rune))
		case syntax.OpConcat:
			n := 0
			for _, sub := range re.Sub {
				n += longest(sub)
			}
			return n
		case syntax.OpAlternate:
			n := 0
			for _, sub := range re.Sub {
				n = max(n, longest(sub))
			}
			return n
		case syntax.OpCapture, syntax.OpQuest:
			return longest(re.Sub[0])
		case syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpEmptyMatch:
			return 0
		case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			return utf8.UTFMax
		}
		t.Fatalf("chatPhrases uses %v: its longest match is unbounded", re.Op)
		return 0
	}
	re, err := syntax.Parse(chatPhrases.String(), syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	if n := longest(re.Simplify()); n != maxChatPhrase {
		t.Errorf("chatPhrases matches up to %d bytes; maxChatPhrase is %d", n, maxChatPhrase)
	}
	for _, s := range []string{"what can you do", "what do you know", "how does this work", "how do i ask the bot", "who are you", "what are you"} {
		if !helpPhrases.MatchString(s) || smallTalk(s) != helpRequest {
			t.Errorf("%q is not a help request", s)
		}
	}
}

// twoStep is a ReplyRenderer that records what it was given.
type twoStep struct {
	f        *fixture
	t        *testing.T
	prepared []knowledge.Result
	loggedAt []int // questions in the log when Prepare ran
	got      []Reply
	with     []any
}

func (r *twoStep) Prepare(res knowledge.Result) any {
	r.prepared = append(r.prepared, res)
	r.loggedAt = append(r.loggedAt, r.f.count(r.t))
	return len(r.prepared)
}

func (r *twoStep) Messages(rep Reply, prepared any) []store.Message {
	r.got, r.with = append(r.got, rep), append(r.with, prepared)
	return []store.Message{{Kind: "answer", Channel: "D1", Text: fmt.Sprintf("%v: %s", prepared, rep.Text)}}
}

// TestReplyRendererInTwoSteps: with a ReplyRenderer, AskOnce prepares the
// reply from the engine's result before the question is logged and has
// the renderer make its messages from the reply as logged (with the
// question's id) and what it prepared, and queues them with the question.
func TestReplyRendererInTwoSteps(t *testing.T) {
	f := newFixture(t)
	rr := &twoStep{f: f, t: t}
	ctx := WithReplyRenderer(context.Background(), rr)
	if _, err := f.desk.AskOnce(ctx, bidder, "When are detailed bids due?", "ev1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.AskOnce(ctx, bidder, "Can a hospice lead?", "ev2"); err != nil {
		t.Fatal(err)
	}
	if len(rr.prepared) != 2 || !rr.prepared[0].Confident || rr.prepared[1].Confident || rr.loggedAt[0] != 0 || rr.loggedAt[1] != 1 {
		t.Fatalf("Prepare got %d results (confident: %v), with %v questions logged; want each question's, before it was logged",
			len(rr.prepared), rr.prepared, rr.loggedAt)
	}
	if len(rr.got) != 2 || rr.got[0].Kind != KindAnswer || rr.got[1].Kind != KindNotCovered ||
		rr.got[0].Question == nil || rr.got[0].Question.ID == "" || rr.with[0] != 1 || rr.with[1] != 2 {
		t.Fatalf("Messages got %+v with %v; want each logged reply with what was prepared for it", rr.got, rr.with)
	}
	msgs, err := f.store.Outbox(store.OutboxFilter{})
	if err != nil || len(msgs) != 2 || !strings.HasPrefix(msgs[0].Text, "1: ") || msgs[0].QuestionID != rr.got[0].Question.ID {
		t.Fatalf("outbox %+v, %v; want the renderer's messages, queued with their questions", msgs, err)
	}
}
