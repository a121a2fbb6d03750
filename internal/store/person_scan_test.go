package store

import (
	"strings"
	"testing"
)

// TestPersonColumnCount: personScanner has a destination for every column of personColumns.
func TestPersonColumnCount(t *testing.T) {
	if got := strings.Count(personColumns, ",") + 1; got != personColumnCount {
		t.Fatalf("personColumns has %d columns, personColumnCount says %d", got, personColumnCount)
	}
}
