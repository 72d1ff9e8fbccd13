package signal

import (
	"context"
	"time"
)

// linkHolder is the account a single-use, expiring link (an invitation, a
// password reset) is for, from what the store found under the link's
// token hash (userID, expires, used, err): invalid for an unknown, used
// or expired link and for an account that is gone or disabled, so the
// holder learns nothing about which.
func linkHolder(ctx context.Context, users interface {
	UserByID(context.Context, string) (User, error)
}, userID string, expires time.Time, used bool, err error, now time.Time, invalid *Error) (User, error) {
	switch {
	case ErrorCode(err) == CodeNotFound:
		return User{}, invalid
	case err != nil:
		return User{}, err
	case used || !now.Before(expires):
		return User{}, invalid
	}
	u, err := users.UserByID(ctx, userID)
	if ErrorCode(err) == CodeNotFound || (err == nil && u.Disabled) {
		return User{}, invalid
	}
	return u, err
}
