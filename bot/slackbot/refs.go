package slackbot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The buttons under a bidder's answer (Helpful, Ask the NSG) must say
// which question they are about, but their value is not private: any
// bidder can read it back from Slack (conversations.history on their DM
// returns the blocks). A question id there would tell bidders how many
// questions others have asked, so the value is an opaque reference: the
// question's number encrypted with a key derived from the bot token.
// Only the bot can turn it back into the id; a reference from before a
// token change no longer resolves, and the button says the question
// could not be found.

// refPrefix marks an opaque question reference.
const refPrefix = "r"

// refCodec turns question ids into opaque references and back.
type refCodec struct{ block cipher.Block }

// newRefCodec derives the reference key from secret (the bot token).
func newRefCodec(secret string) *refCodec {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("hiecbot question references v1"))
	block, err := aes.NewCipher(mac.Sum(nil)[:16])
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	return &refCodec{block: block}
}

// encode returns the reference for id ("Q-0042"); an id it cannot read is
// returned as it is.
func (c *refCodec) encode(id string) string {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "Q-"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "Q-") {
		return id
	}
	var plain, out [aes.BlockSize]byte
	binary.BigEndian.PutUint64(plain[:8], n)
	copy(plain[8:], "hiecQref") // a check: a forged reference decrypts to something else
	c.block.Encrypt(out[:], plain[:])
	return refPrefix + hex.EncodeToString(out[:])
}

// decode returns the question id a button value stands for: the id in a
// reference, or the value itself when it is not one (buttons posted
// before references were used carry the id).
func (c *refCodec) decode(value string) (string, bool) {
	raw, ok := strings.CutPrefix(value, refPrefix)
	if !ok || len(raw) != 2*aes.BlockSize {
		return value, !ok
	}
	data, err := hex.DecodeString(raw)
	if err != nil {
		return "", false
	}
	var plain [aes.BlockSize]byte
	c.block.Decrypt(plain[:], data)
	if string(plain[8:]) != "hiecQref" {
		return "", false
	}
	return fmt.Sprintf("Q-%04d", binary.BigEndian.Uint64(plain[:8])), true
}
