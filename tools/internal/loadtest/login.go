// Package loadtest holds what the load tools share: logging a user in through the real login
// form.
package loadtest

import (
	"fmt"
	"net/http"
	"net/url"
)

// Login posts the login form and returns the session cookie as a Cookie header value.
func Login(base, user, password string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"login": {user}, "password": {password}})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Value != "" {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("login %s: status %d and no session cookie", user, resp.StatusCode)
}
