package auth

import (
	"context"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
)

// AdminStore holds what a system administrator changes on accounts.
type AdminStore interface {
	SetUserDisabled(ctx context.Context, userID int64, disabled bool, rec *audit.Record) error
	DeleteGrant(ctx context.Context, userID, grantID int64, rec *audit.Record) error
}

func (s *Service) adminRecord(a *Actor, action string, userID int64) *audit.Record {
	return &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: action, ObjectType: "user", ObjectID: userID, IP: a.IP}
}

// SetDisabled disables an account (ending its sessions) or enables it again. Only a system
// administrator may, and not on their own account.
func (s *Service) SetDisabled(ctx context.Context, a *Actor, userID int64, disabled bool) error {
	if !a.SysAdmin {
		return apperr.ErrDenied
	}
	if userID == a.UserID {
		return apperr.New(apperr.Invalid, "error.not_yourself")
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return s.store.SetUserDisabled(ctx, userID, disabled, s.adminRecord(a, action, userID))
}

// ResetPassword gives an account a new random password, shown once to the administrator to
// pass on, and ends the account's sessions.
func (s *Service) ResetPassword(ctx context.Context, a *Actor, userID int64) (string, error) {
	if !a.SysAdmin {
		return "", apperr.ErrDenied
	}
	pw := RandomPassword()
	if err := s.store.SetPassword(ctx, userID, HashPassword(pw), s.adminRecord(a, "user.password_reset", userID)); err != nil {
		return "", err
	}
	return pw, nil
}

// RevokeGrant removes a granted role.
func (s *Service) RevokeGrant(ctx context.Context, a *Actor, userID, grantID int64) error {
	if !a.SysAdmin {
		return apperr.ErrDenied
	}
	return s.store.DeleteGrant(ctx, userID, grantID, s.adminRecord(a, "user.revoke", userID))
}

// EndSessions ends every session of an account.
func (s *Service) EndSessions(ctx context.Context, a *Actor, userID int64) error {
	if !a.SysAdmin && a.UserID != userID {
		return apperr.ErrDenied
	}
	return s.store.DeleteUserSessions(ctx, userID, s.adminRecord(a, "session.logout_all", userID))
}
