package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// ButtonMACLen is the length of the MAC a stateless button's callback data
// carries: 8 base64url characters, 48 bits. A guess costs a tap through
// Telegram (and the flood limit), so 48 bits are out of reach, and the
// longest button still fits Telegram's 64 bytes.
const ButtonMACLen = 8

// buttonMACBytes is ButtonMACLen decoded.
const buttonMACBytes = ButtonMACLen * 6 / 8

// ButtonMAC signs the data of a stateless button for the chat it is sent
// to. Callback data comes back from the person's client and proves
// nothing by itself: with the MAC, data the bot never sent to this chat
// (another chat's button, a tampered value) is told apart from a real
// tap. The key is derived from the card secret, so no new secret is
// configured, and it is separate from the card keys, so a MAC is never
// taken for a token or a code.
func (s *CardSigner) ButtonMAC(chatID int64, data string) string {
	m := hmac.New(sha256.New, s.buttonKey)
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(chatID))
	m.Write(id[:])
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:buttonMACBytes])
}

// VerifyButtonMAC reports whether mac is ButtonMAC(chatID, data), in
// constant time.
func (s *CardSigner) VerifyButtonMAC(chatID int64, data, mac string) bool {
	return hmac.Equal([]byte(mac), []byte(s.ButtonMAC(chatID, data)))
}
