package masswork

import "context"

// ReleaseReservations releases the visit reservations past their expiry; it is run by a
// periodic job and returns how many it released.
func (s *Service) ReleaseReservations(ctx context.Context) (int, error) {
	return 0, errNotBuilt
}
