package auth

import "testing"

func TestPasswordHash(t *testing.T) {
	h := HashPassword("demo-pass-2023")
	if !CheckPassword(h, "demo-pass-2023") {
		t.Fatalf("CheckPassword rejects its own hash %q", h)
	}
	if CheckPassword(h, "demo-pass-2024") {
		t.Fatal("CheckPassword accepts a wrong password")
	}
	long := "一句很长的中文密码用来确认不会在七十二字节处被截断一句很长的中文密码用来确认不会被截断"
	if CheckPassword(HashPassword(long), long[:72]) {
		t.Fatal("password truncated at 72 bytes")
	}
}
