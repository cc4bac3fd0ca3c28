package bot

import "testing"

func TestRenderMrkdwn(t *testing.T) {
	tests := []struct {
		in, plain, styled string
	}{
		{"*Guide, slide 17: Application process*", "Guide, slide 17: Application process", "\x1b[1mGuide, slide 17: Application process\x1b[0m"},
		{"> Detailed bids are due\n> on 19 October.", "    Detailed bids are due\n    on 19 October.", "    Detailed bids are due\n    on 19 October."},
		{"See _slide 3_ and `Q-0001`.", "See slide 3 and Q-0001.", "See \x1b[3mslide 3\x1b[0m and Q-0001."},
		{"Ask <https://example.org/faq|the FAQ> or <@U123>", "Ask the FAQ (https://example.org/faq) or @U123", "Ask the FAQ (https://example.org/faq) or @U123"},
		{"R&amp;D &lt;£10m&gt;", "R&D <£10m>", "R&D <£10m>"},
		{"2 * 3 * 4 and a*b*c stay", "2 * 3 * 4 and a*b*c stay", "2 * 3 * 4 and a*b*c stay"},
		{"&gt; quoted *bold*", "    quoted bold", "    quoted \x1b[1mbold\x1b[0m"},
	}
	for _, tc := range tests {
		if got := renderMrkdwn(tc.in, false); got != tc.plain {
			t.Errorf("plain %q = %q, want %q", tc.in, got, tc.plain)
		}
		if got := renderMrkdwn(tc.in, true); got != tc.styled {
			t.Errorf("styled %q = %q, want %q", tc.in, got, tc.styled)
		}
	}
}

func TestWrapWidth(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"The guide does not cover this, so I have passed it on.", 20, "The guide does not\ncover this, so I\nhave passed it on."},
		{"    quoted text that goes on and on", 18, "    quoted text\n    that goes on\n    and on"},
		{"\x1b[1mbold words\x1b[0m here", 10, "\x1b[1mbold words\x1b[0m\nhere"},
		{"short", 20, "short"},
		{"unbreakablewordlongerthanwidth x", 10, "unbreakablewordlongerthanwidth\nx"},
		{"no width", 0, "no width"},
	}
	for _, tc := range tests {
		if got := wrapWidth(tc.in, tc.width); got != tc.want {
			t.Errorf("wrapWidth(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}
