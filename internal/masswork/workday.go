package masswork

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Working days. Deadlines are counted in working days: Monday to Friday, except the public
// holidays of the holiday list, plus the weekend days the list says are worked (调休).

// matterHolidayTTL is how long a year's holiday list is kept in memory. The list changes once a
// year; SaveHolidays clears the copy of the instance that saved it, and other instances
// sharing a database see the change after this long at most.
const matterHolidayTTL = 10 * time.Minute

// matterMaxWorkDays bounds the working days of a deadline, so that a holiday list marking every day
// off cannot make the count run forever.
const matterMaxWorkDays = 366

// matterHolidayCache keeps each year's holiday list by day for a while.
type matterHolidayCache struct {
	mu    sync.Mutex
	years map[int]matterHolidayYear
}

type matterHolidayYear struct {
	kinds  map[string]string // YYYY-MM-DD → off or work
	loaded time.Time
}

func (c *matterHolidayCache) get(year int, now time.Time) (map[string]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	y, ok := c.years[year]
	if !ok || now.Sub(y.loaded) > matterHolidayTTL || now.Before(y.loaded) {
		return nil, false
	}
	return y.kinds, true
}

func (c *matterHolidayCache) put(year int, kinds map[string]string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.years == nil {
		c.years = map[int]matterHolidayYear{}
	}
	c.years[year] = matterHolidayYear{kinds: kinds, loaded: now}
}

func (c *matterHolidayCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.years = nil
}

// matterYearHolidays returns the holiday kinds of a year by day: the saved list, or the national
// defaults when nothing was saved for the year.
func (s *Service) matterYearHolidays(ctx context.Context, year int) (map[string]string, error) {
	now := s.now()
	if kinds, ok := s.holidays.get(year, now); ok {
		return kinds, nil
	}
	days, err := s.matterYearList(ctx, year)
	if err != nil {
		return nil, err
	}
	kinds := make(map[string]string, len(days))
	for _, d := range days {
		kinds[d.Day] = d.Kind
	}
	s.holidays.put(year, kinds, now)
	return kinds, nil
}

func (s *Service) matterYearList(ctx context.Context, year int) ([]Holiday, error) {
	days, err := s.store.FindHolidays(ctx, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	if err != nil {
		return nil, fmt.Errorf("masswork: holidays %d: %w", year, err)
	}
	if len(days) == 0 {
		days = DefaultHolidays(year)
	}
	return days, nil
}

// Deadline returns the end (24:00 in the zone) of the n-th working day after the day of
// start: a report on Friday evening with one day is due at the end of Monday, and one during
// the Spring Festival at the end of the first working day after it. With n ≤ 0 it is the end
// of start's own day.
func (s *Service) Deadline(ctx context.Context, start time.Time, n int) (time.Time, error) {
	var ferr error
	kindOf := func(day time.Time) string {
		kinds, err := s.matterYearHolidays(ctx, day.Year())
		if err != nil {
			ferr = err
			return ""
		}
		return kinds[day.Format(time.DateOnly)]
	}
	due := matterDeadline(start.In(s.zone), n, kindOf)
	return due, ferr
}

// matterDeadline counts n working days after the day of start (in start's location); kindOf tells
// the holiday kind of a day (midnight), or "".
func matterDeadline(start time.Time, n int, kindOf func(day time.Time) string) time.Time {
	y, m, d := start.Date()
	loc := start.Location()
	n = min(n, matterMaxWorkDays)
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	for i, found := 1, 0; found < n && i <= 3*matterMaxWorkDays; i++ {
		day = time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if matterWorking(day, kindOf(day)) {
			found++
		}
	}
	ny, nm, nd := day.Date()
	return time.Date(ny, nm, nd+1, 0, 0, 0, 0, loc)
}

// matterWorking reports whether a day of the given holiday kind is worked.
func matterWorking(day time.Time, kind string) bool {
	switch kind {
	case HolidayOff:
		return false
	case HolidayWork:
		return true
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Holidays returns the holiday list of a year: the saved one, or the national defaults when
// nothing was saved for it.
func (s *Service) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	if year < 2000 || year > 2100 {
		return nil, apperr.ErrNotFound
	}
	return s.matterYearList(ctx, year)
}

// SaveHolidays replaces the holiday list of a year (system administrators).
func (s *Service) SaveHolidays(ctx context.Context, a *auth.Actor, year int, days []Holiday) error {
	if a == nil || !a.SysAdmin {
		return apperr.ErrDenied
	}
	var v apperr.Validation
	if year < 2000 || year > 2100 {
		v.Add("year", "error.choice")
		return v.Err()
	}
	seen := map[string]bool{}
	clean := make([]Holiday, 0, len(days))
	for i, h := range days {
		field := "days." + strconv.Itoa(i)
		d, err := time.Parse(time.DateOnly, h.Day)
		switch {
		case err != nil:
			v.Add(field+".day", "error.date")
		case d.Year() != year:
			v.Add(field+".day", "matter.error.holiday_year")
		case seen[h.Day]:
			v.Add(field+".day", "matter.error.holiday_twice")
		}
		seen[h.Day] = true
		if h.Kind != HolidayOff && h.Kind != HolidayWork {
			v.Add(field+".kind", "error.choice")
		}
		name := matterCleanLine(h.Name)
		if matterRuneLen(name) > 40 {
			v.Add(field+".name", "error.too_long")
		}
		clean = append(clean, Holiday{Day: h.Day, Kind: h.Kind, Name: name})
	}
	if err := v.Err(); err != nil {
		return err
	}
	rec := record(a, "holidays.save", "holidays")
	rec.ObjectID = int64(year)
	rec.After = audit.JSON(clean)
	err := s.store.SaveHolidays(ctx, clean, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year), rec)
	s.holidays.clear()
	return err
}
