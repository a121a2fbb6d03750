// Package pii protects personal numbers: resident ID numbers and phone numbers are validated,
// normalised, encrypted with AES-256-GCM, indexed by a keyed hash for exact lookup, and masked
// for display.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the size of a master key in bytes.
const KeySize = 32

// Sealer encrypts and indexes personal numbers. Its two keys are derived from one master key:
// one for AES-256-GCM, one for the HMAC-SHA256 blind index.
type Sealer struct {
	aead    cipher.AEAD
	hashKey []byte
}

// NewSealer derives the encryption and index keys from master.
func NewSealer(master []byte) (*Sealer, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("pii: master key must be %d bytes, got %d", KeySize, len(master))
	}
	encKey, err := hkdf.Key(sha256.New, master, nil, "dangjian pii aes-256-gcm", 32)
	if err != nil {
		return nil, fmt.Errorf("pii: derive encryption key: %w", err)
	}
	hashKey, err := hkdf.Key(sha256.New, master, nil, "dangjian pii hmac-sha256 index", 32)
	if err != nil {
		return nil, fmt.Errorf("pii: derive index key: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	return &Sealer{aead: aead, hashKey: hashKey}, nil
}

// NewKey returns a fresh random master key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// Seal encrypts plain with a random nonce; the nonce is prefixed to the ciphertext. The field
// name is bound as additional data so a ciphertext cannot be moved to another column.
func (s *Sealer) Seal(field, plain string) []byte {
	if plain == "" {
		return nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(plain), []byte(field))
}

// Open decrypts a value made by Seal for the same field.
func (s *Sealer) Open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("pii: ciphertext too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(field))
	if err != nil {
		return "", fmt.Errorf("pii: open %s: %w", field, err)
	}
	return string(plain), nil
}

// Index returns the keyed hash of a normalised value for exact lookup and uniqueness.
func (s *Sealer) Index(field, normalised string) string {
	if normalised == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.hashKey)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}
