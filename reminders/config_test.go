package reminders

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/config"
)

// TestBadConfig checks that config.Load rejects bad reminder settings with
// a message that names the file, the line and what is wrong.
func TestBadConfig(t *testing.T) {
	const deadline = `reminders:
  timezone: Europe/London
  deadlines:
    - name: Detailed bids due
      due: %s
      remind_before: [%s]
`
	const job = `reminders:
  timezone: Europe/London
  cron:
    - name: Weekly countdown
      spec: "%s"
      timezone: %s
      post: countdown
`
	tests := []struct {
		name string
		yaml string
		line int      // 0: the message cannot name a line (see below)
		want []string // in the message besides the line
	}{
		{"unknown offset unit", fmt.Sprintf(deadline, "2009-10-19", "7d, 2w"), 6, []string{`"2w"`, `unknown unit "w"`}},
		{"negative offset", fmt.Sprintf(deadline, "2009-10-19", "-7d"), 6, []string{`"-7d" is negative`}},
		{"bad date", fmt.Sprintf(deadline, "2009-10-32", "7d"), 5, []string{`"2009-10-32"`}},
		{"month for a deadline", fmt.Sprintf(deadline, "2009-10", "7d"), 5, []string{"reminders.deadlines[0].due:", "needs a day"}},
		{"bad cron spec", fmt.Sprintf(job, "0 9 * * MOON", "Europe/London"), 5, []string{"reminders.cron[0].spec:", "Weekly countdown", `"0 9 * * MOON"`}},
		{"bad cron zone", fmt.Sprintf(job, "0 9 * * MON", "Europe/Londres"), 6, []string{"reminders.cron[0].timezone:", `"Europe/Londres"`}},
		{"negative grace", "reminders:\n  timezone: Europe/London\n\n  grace: -6h\n", 4, []string{`"-6h" is negative`}},
		{"bad reminders zone", "reminders:\n  timezone: Europe/Londres\n", 2, []string{`reminders.timezone: "Europe/Londres"`}},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("bad%d.yaml", i))
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := config.Load(path, func(string) string { return "" })
			if err == nil {
				t.Fatalf("config.Load accepted:\n%s", tt.yaml)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path) {
				t.Errorf("%q does not start with the file name", msg)
			}
			if tt.line > 0 {
				at := fmt.Sprintf("%s:%d:", path, tt.line)
				if !strings.Contains(msg, at) && !strings.Contains(msg, fmt.Sprintf("line %d:", tt.line)) {
					t.Errorf("%q does not name line %d", msg, tt.line)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not contain %q", msg, w)
				}
			}
		})
	}
}
