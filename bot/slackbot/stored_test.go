package slackbot

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
)

// TestStoredBlocksEncodedOnce: the outbox holds the blocks as Slack's
// library encodes them, and the copy the sender posts marshals to the
// same bytes without encoding them again.
func TestStoredBlocksEncodedOnce(t *testing.T) {
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Guide, slide 17* <&> \"quoted\" £", false, false), nil, nil),
		slack.NewContextBlock("ctx", slack.NewTextBlockObject(slack.MarkdownType, "Other references", false, false)),
		slack.NewActionBlock("act", slack.NewButtonBlockElement("ask_nsg", "ref", slack.NewTextBlockObject(slack.PlainTextType, "Ask the NSG", false, false))),
	}
	m := stored(kindAnswer, message{Text: "text", Blocks: blocks})
	want, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Blocks, want) {
		t.Errorf("stored blocks\n %s\nwant\n %s", m.Blocks, want)
	}
	native, ok := m.Native.([]slack.Block)
	if !ok || len(native) != len(blocks) {
		t.Fatalf("native = %#v", m.Native)
	}
	posted, err := json.Marshal(native) // what chat.postMessage sends
	if err != nil || !bytes.Equal(posted, want) {
		t.Errorf("posted blocks %s, %v\nwant %s", posted, err, want)
	}
	for i, b := range native {
		if b.BlockType() != blocks[i].BlockType() || b.ID() != blocks[i].ID() {
			t.Errorf("block %d is %s %q; want %s %q", i, b.BlockType(), b.ID(), blocks[i].BlockType(), blocks[i].ID())
		}
	}
	var back slack.Blocks
	if err := json.Unmarshal(m.Blocks, &back); err != nil || len(back.BlockSet) != len(blocks) {
		t.Errorf("stored blocks read back as %d blocks, %v", len(back.BlockSet), err)
	}
	if m := stored(kindAnswer, message{Text: "plain"}); m.Blocks != nil || m.Native != nil {
		t.Errorf("a message without blocks stored %s", m.Blocks)
	}
}
