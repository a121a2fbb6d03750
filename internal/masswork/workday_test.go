package masswork

import (
	"testing"
	"time"
)

var testZone = func() *time.Location {
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return z
}()

func wall(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, testZone)
	if err != nil {
		panic(err)
	}
	return t
}

// defaultKinds looks days up in the national holiday lists.
func defaultKinds(day time.Time) string {
	for _, h := range DefaultHolidays(day.Year()) {
		if h.Day == day.Format(time.DateOnly) {
			return h.Kind
		}
	}
	return ""
}

func TestDeadline(t *testing.T) {
	for _, tt := range []struct {
		name  string
		start string
		n     int
		want  string // the instant due: 24:00 of the last working day, written as the next 00:00
	}{
		{"weekday, one day", "2026-03-10 09:00", 1, "2026-03-12 00:00"},
		{"Friday evening: Monday", "2026-03-13 21:30", 1, "2026-03-17 00:00"},
		{"Saturday: Monday", "2026-03-14 10:00", 1, "2026-03-17 00:00"},
		{"Sunday night: Monday", "2026-03-15 23:59", 1, "2026-03-17 00:00"},
		{"ten days over two weekends", "2026-03-10 09:00", 10, "2026-03-25 00:00"},
		{"the same day", "2026-03-10 09:00", 0, "2026-03-11 00:00"},
		{"just after midnight counts that day", "2026-03-13 00:00", 1, "2026-03-17 00:00"},
		// Spring Festival 2026: off 15–23 February; Saturday 14 and 28 February worked.
		{"before the festival: the make-up Saturday", "2026-02-13 18:00", 1, "2026-02-15 00:00"},
		{"on the make-up Saturday", "2026-02-14 10:00", 1, "2026-02-25 00:00"},
		{"during the festival", "2026-02-17 08:00", 1, "2026-02-25 00:00"},
		{"on its last day", "2026-02-23 20:00", 1, "2026-02-25 00:00"},
		{"ten days across it", "2026-02-12 09:00", 10, "2026-03-05 00:00"},
		{"the second make-up Saturday counts", "2026-02-27 09:00", 1, "2026-03-01 00:00"},
		// National Day 2026: off 1–7 October; Sunday 20 September and Saturday 10 October worked.
		{"before National Day", "2026-09-30 15:00", 1, "2026-10-09 00:00"},
		{"ten days across National Day", "2026-09-28 09:00", 10, "2026-10-17 00:00"},
		{"to the make-up Saturday", "2026-10-09 09:00", 1, "2026-10-11 00:00"},
		{"the make-up Sunday in September", "2026-09-19 09:00", 1, "2026-09-21 00:00"},
		{"Mid-Autumn Festival", "2026-09-24 09:00", 1, "2026-09-29 00:00"},
		// Month and year ends.
		{"month end", "2026-03-31 12:00", 1, "2026-04-02 00:00"},
		{"end of February", "2026-02-27 09:00", 2, "2026-03-03 00:00"},
		{"year end into New Year's Day", "2025-12-31 16:00", 1, "2026-01-05 00:00"},
		{"year end, ten days", "2025-12-29 09:00", 10, "2026-01-14 00:00"},
		{"into a year without a list", "2026-12-31 09:00", 1, "2027-01-02 00:00"},
		// Leap year.
		{"29 February 2024", "2024-02-28 09:00", 1, "2024-03-01 00:00"},
	} {
		got := matterDeadline(wall(tt.start), tt.n, defaultKinds)
		if want := wall(tt.want); !got.Equal(want) {
			t.Errorf("%s: Deadline(%s, %d) = %s, want %s", tt.name, tt.start, tt.n, got.In(testZone).Format("2006-01-02 15:04 Mon"),
				want.Format("2006-01-02 15:04 Mon"))
		}
	}
}

func TestDeadlineEverythingOff(t *testing.T) {
	off := func(time.Time) string { return HolidayOff }
	got := matterDeadline(wall("2026-03-10 09:00"), 1, off)
	if got.Before(wall("2026-03-10 09:00")) || got.After(wall("2029-12-31 00:00")) {
		t.Errorf("a list of days off only: %v", got)
	}
	if got := matterDeadline(wall("2026-03-10 09:00"), 1_000_000, defaultKinds); got.After(wall("2028-12-31 00:00")) {
		t.Errorf("a huge n is bounded: %v", got)
	}
}

func TestDefaultHolidays(t *testing.T) {
	for _, year := range []int{2023, 2024, 2025, 2026} {
		days := DefaultHolidays(year)
		if len(days) < 20 {
			t.Fatalf("%d: %d days", year, len(days))
		}
		seen := map[string]bool{}
		for _, h := range days {
			d, err := time.Parse(time.DateOnly, h.Day)
			if err != nil || d.Year() != year || seen[h.Day] || h.Name == "" {
				t.Errorf("%d: bad day %+v", year, h)
			}
			seen[h.Day] = true
			// Make-up working days are weekend days.
			if h.Kind == HolidayWork && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				t.Errorf("%d: make-up day %s is a %s", year, h.Day, d.Weekday())
			}
		}
	}
	if DefaultHolidays(1999) != nil {
		t.Error("a year without a notice has a list")
	}
}
