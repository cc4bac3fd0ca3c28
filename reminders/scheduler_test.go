package reminders

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/config"
)

// The 7-day reminder of detailed bids fires at 17:00 BST on 12 October.
var sevenDays = at(2009, time.October, 12, 17, 0)

const sevenDaysKey = "before|Detailed bids due|2009-10-19|7d"

func TestFireTimes(t *testing.T) {
	due := func(y int, m time.Month, d, hh, mm int) config.Due {
		return config.Due{Year: y, Month: m, Day: d, Hour: hh, Min: mm, Precision: config.PrecisionMinute}
	}
	tests := []struct {
		name   string
		due    config.Due
		before time.Duration
		want   string
	}{
		{"7d before 19 Oct 2009 is BST", day(2009, time.October, 19), 7 * 24 * time.Hour, "2009-10-12T17:00:00+01:00"},
		{"1d before 2 Nov 2009 is GMT", day(2009, time.November, 2), 24 * time.Hour, "2009-11-01T17:00:00+00:00"},
		{"14d before 2 Nov 2009 crosses back into BST at 17:00", day(2009, time.November, 2), 14 * 24 * time.Hour, "2009-10-19T17:00:00+01:00"},
		{"1d before 26 Oct across the change of clocks", day(2009, time.October, 26), 24 * time.Hour, "2009-10-25T17:00:00+00:00"},
		{"1d12h before 2 Nov", day(2009, time.November, 2), 36 * time.Hour, "2009-11-01T05:00:00+00:00"},
		{"2h before a time of day", due(2009, time.October, 26, 12, 0), 2 * time.Hour, "2009-10-26T10:00:00+00:00"},
		{"90m before a time of day in BST", due(2009, time.October, 19, 12, 0), 90 * time.Minute, "2009-10-19T10:30:00+01:00"},
		{"at the deadline", day(2009, time.September, 1), 0, "2009-09-01T17:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Reminders{Timezone: "Europe/London", Deadlines: []config.Deadline{
				{Name: "D", Due: tt.due, RemindBefore: []config.Duration{config.Duration(tt.before)}},
			}}
			es, err := Entries(cfg, nil, at(2009, time.July, 1, 9, 0))
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 {
				t.Fatalf("got %d entries, want 1", len(es))
			}
			if got := es[0].FiresAt.Format(jsonTime); got != tt.want {
				t.Errorf("fires at %s, want %s", got, tt.want)
			}
			if got, want := es[0].Due, tt.due.In(london); !got.Equal(want) {
				t.Errorf("due %s, want %s", got, want)
			}
		})
	}
}

func TestCatchUp(t *testing.T) {
	tests := []struct {
		name  string
		now   time.Time
		grace time.Duration
		want  []string // substrings of the posts, in order
		late  bool
		log   string // in the log
	}{
		{name: "before any reminder", now: at(2009, time.September, 1, 9, 0), grace: 6 * time.Hour},
		{name: "on time", now: sevenDays.Add(30 * time.Second), grace: 6 * time.Hour,
			want: []string{"Reminder: *Detailed bids due* on 19 October 2009 — in 7 days. (Guide, slide 17: Application process)"}},
		{name: "on time with no grace", now: sevenDays.Add(30 * time.Second), grace: 0,
			want: []string{"in 7 days"}},
		{name: "within grace", now: sevenDays.Add(2 * time.Hour), grace: 6 * time.Hour,
			want: []string{"in 7 days"}, late: true},
		{name: "older than grace", now: sevenDays.Add(7 * time.Hour), grace: 6 * time.Hour,
			log: "reminder missed by more than the grace period; skipped"},
		{name: "earlier reminders superseded", now: sevenDays.Add(time.Hour), grace: 30 * 24 * time.Hour,
			want: []string{"in 7 days"}, late: true, log: "superseded by a later one"},
		{name: "deadline passed", now: at(2009, time.October, 19, 17, 0), grace: 30 * 24 * time.Hour},
		{name: "long after the deadline", now: at(2009, time.December, 1, 9, 0), grace: 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Grace = config.Duration(tt.grace)
			p, l := &recPoster{}, newLedger()
			s, log := newTest(t, cfg, p, l, tt.now)
			runOnce(t, s)
			posts := p.Posts()
			if len(posts) != len(tt.want) {
				t.Fatalf("got %d posts, want %d:\n%s", len(posts), len(tt.want), texts(posts))
			}
			for i, w := range tt.want {
				if posts[i].channel != "C-BIDDERS" || !strings.Contains(posts[i].text, w) {
					t.Errorf("post %d = %s: %q, want C-BIDDERS: …%s…", i, posts[i].channel, posts[i].text, w)
				}
				if got := strings.HasSuffix(posts[i].text, " "+LateNote); got != tt.late {
					t.Errorf("post %d late note = %v, want %v: %q", i, got, tt.late, posts[i].text)
				}
			}
			if len(tt.want) > 0 {
				if keys := l.Keys(); len(keys) != 1 || keys[0] != sevenDaysKey {
					t.Errorf("ledger = %q, want [%s]", keys, sevenDaysKey)
				}
			} else if keys := l.Keys(); len(keys) != 0 {
				t.Errorf("ledger = %q, want nothing marked", keys)
			}
			if tt.log != "" && !strings.Contains(log.String(), tt.log) {
				t.Errorf("log lacks %q", tt.log)
			}
		})
	}
}

func TestRestartDoesNotRepeat(t *testing.T) {
	l := newLedger()
	for i, now := range []time.Time{
		sevenDays.Add(2 * time.Hour), // posts, late
		sevenDays.Add(2 * time.Hour), // a restart at once
		sevenDays.Add(5 * time.Hour), // a restart later, still within grace
	} {
		p := &recPoster{}
		s, _ := newTest(t, testConfig(), p, l, now)
		runOnce(t, s)
		want := 0
		if i == 0 {
			want = 1
		}
		if got := len(p.Posts()); got != want {
			t.Fatalf("run %d: %d posts, want %d:\n%s", i, got, want, texts(p.Posts()))
		}
	}
}

func TestSecondStartFails(t *testing.T) {
	s, _ := newTest(t, testConfig(), &recPoster{}, newLedger(), sevenDays.Add(-time.Hour))
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
	s.Stop()
	s.Stop()
	if err := s.Start(context.Background()); err == nil {
		t.Error("Start after Stop succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s2, _ := newTest(t, testConfig(), &recPoster{}, newLedger(), sevenDays)
	if err := s2.Start(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a done context = %v, want context.Canceled", err)
	}
	s2.Stop()
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name         string
		fail         int
		retry        []time.Duration
		wantAttempts int
		wantPosts    int
	}{
		{"fails twice then succeeds", 2, []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, 3, 1},
		{"gives up", -1, []time.Duration{time.Millisecond, time.Millisecond}, 3, 0},
		{"single attempt", -1, []time.Duration{}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, l := &recPoster{fail: tt.fail}, newLedger()
			log, _ := testLogger(t)
			now := sevenDays.Add(10 * time.Second)
			s, err := New(testConfig(), p, l, Options{Now: func() time.Time { return now }, Logger: log, Retry: tt.retry})
			if err != nil {
				t.Fatal(err)
			}
			runOnce(t, s)
			if got := p.Attempts(); got != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", got, tt.wantAttempts)
			}
			if got := len(p.Posts()); got != tt.wantPosts {
				t.Errorf("%d posts, want %d", got, tt.wantPosts)
			}
			if got := len(l.Keys()); got != tt.wantPosts {
				t.Errorf("%d marked, want %d", got, tt.wantPosts)
			}
		})
	}
}

func TestStopCutsRetryShort(t *testing.T) {
	p := &recPoster{fail: -1}
	log, _ := testLogger(t)
	now := sevenDays
	s, err := New(testConfig(), p, newLedger(), Options{Now: func() time.Time { return now }, Logger: log, Retry: []time.Duration{time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); p.Attempts() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no attempt to post within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop still waiting for an hour's retry after 5s")
	}
	if got := p.Attempts(); got != 1 {
		t.Errorf("%d attempts, want 1", got)
	}
}

func TestLedgerFailures(t *testing.T) {
	t.Run("mark fails: posted once in this process", func(t *testing.T) {
		p, l := &recPoster{}, newLedger()
		l.markErr = errors.New("disk full")
		s, log := newTest(t, testConfig(), p, l, sevenDays)
		runOnce(t, s)
		s.remindBefore(context.Background(), s.before[2], sevenDays)
		if got := len(p.Posts()); got != 1 {
			t.Errorf("%d posts, want 1", got)
		}
		if !strings.Contains(log.String(), "may be posted again after a restart") {
			t.Error("log does not warn that the reminder may repeat")
		}
	})
	t.Run("read fails: posted rather than lost", func(t *testing.T) {
		p, l := &recPoster{}, newLedger()
		l.readErr = errors.New("bucket corrupt")
		s, _ := newTest(t, testConfig(), p, l, sevenDays)
		runOnce(t, s)
		if got := len(p.Posts()); got != 1 {
			t.Errorf("%d posts, want 1", got)
		}
	})
}

func TestEmptyChannel(t *testing.T) {
	cfg := testConfig()
	cfg.Channel = ""
	cfg.Cron = []config.CronJob{{Name: "Weekly countdown", Spec: "0 9 * * MON", Post: config.PostCountdown}}
	p, l := &recPoster{}, newLedger()
	s, log := newTest(t, cfg, p, l, sevenDays)
	runOnce(t, s)
	s.runCron(context.Background(), cfg.Cron[0], at(2009, time.October, 12, 9, 0))
	if got := p.Posts(); len(got) != 0 {
		t.Errorf("posted with no channel:\n%s", texts(got))
	}
	if !strings.Contains(log.String(), "reminders.channel is empty") {
		t.Error("no warning about the empty channel")
	}
}

func TestCronPosts(t *testing.T) {
	countdown := config.CronJob{Name: "Weekly countdown", Spec: "0 9 * * MON", Post: config.PostCountdown}
	digest := config.CronJob{Name: "NSG digest", Spec: "0 9 * * MON-FRI", Post: config.PostDigest}
	monday := at(2009, time.October, 12, 9, 0)
	tests := []struct {
		name    string
		job     config.CronJob
		now     time.Time
		nsg     string
		digest  DigestFunc
		want    []post
		wantKey string
	}{
		{name: "countdown", job: countdown, now: monday,
			want:    []post{{"C-BIDDERS", "7 days to *Detailed bids due* (19 October 2009). (Guide, slide 17: Application process)"}},
			wantKey: "cron|Weekly countdown|2009-10-12T08:00:00Z"},
		{name: "countdown after every deadline", job: countdown, now: at(2009, time.October, 26, 9, 0)},
		{name: "digest", job: digest, now: monday, nsg: "C-NSG",
			digest:  func(context.Context) (string, error) { return "2 questions await an answer", nil },
			want:    []post{{"C-NSG", "2 questions await an answer"}},
			wantKey: "cron|NSG digest|2009-10-12T08:00:00Z"},
		{name: "empty digest", job: digest, now: monday, nsg: "C-NSG",
			digest: func(context.Context) (string, error) { return "", nil }},
		{name: "digest without NSG channel", job: digest, now: monday,
			digest: func(context.Context) (string, error) { return "2 questions await an answer", nil }},
		{name: "digest fails", job: digest, now: monday, nsg: "C-NSG",
			digest: func(context.Context) (string, error) { return "", errors.New("store closed") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Cron = []config.CronJob{tt.job}
			p, l := &recPoster{}, newLedger()
			log, _ := testLogger(t)
			s, err := New(cfg, p, l, Options{NSGChannel: tt.nsg, Digest: tt.digest, Logger: log,
				Now: func() time.Time { return tt.now }})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // the same fire time twice posts once
				s.runCron(context.Background(), tt.job, tt.now)
			}
			got := p.Posts()
			if len(got) != len(tt.want) {
				t.Fatalf("got posts:\n%swant:\n%s", texts(got), texts(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("post %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
			if tt.wantKey != "" {
				if keys := l.Keys(); len(keys) != 1 || keys[0] != tt.wantKey {
					t.Errorf("ledger = %q, want [%s]", keys, tt.wantKey)
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	bad := func(f func(*config.Reminders)) config.Reminders {
		cfg := testConfig()
		f(&cfg)
		return cfg
	}
	tests := []struct {
		name string
		cfg  config.Reminders
		p    Poster
		l    Ledger
		want string
	}{
		{"nil poster", testConfig(), nil, newLedger(), "Poster is nil"},
		{"nil ledger", testConfig(), &recPoster{}, nil, "Ledger is nil"},
		{"bad zone", bad(func(c *config.Reminders) { c.Timezone = "Mars/Olympus" }), &recPoster{}, newLedger(), `timezone "Mars/Olympus"`},
		{"bad spec", bad(func(c *config.Reminders) {
			c.Cron = []config.CronJob{{Name: "Weekly countdown", Spec: "0 25 * * MON", Post: config.PostCountdown}}
		}), &recPoster{}, newLedger(), `cron job "Weekly countdown": spec "CRON_TZ=Europe/London 0 25 * * MON"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.p, tt.l, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
