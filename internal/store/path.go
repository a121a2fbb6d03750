package store

// underPath returns the condition that col (a materialized path column) lies in the subtree
// of prefix, a path ending in '/', and its arguments.
//
// On SQLite it is a range, col >= '/1/4/' AND col < '/1/40' (paths hold only digits and
// slashes, and '0' follows '/'), which the plain path index serves: a LIKE with a bound
// pattern makes SQLite prepare the statement again at every new value. PostgreSQL keeps
// LIKE, served by the text_pattern_ops index and indifferent to the database's collation.
func (db *DB) underPath(col, prefix string) (string, []any) {
	if db.Dialect == SQLite {
		return "(" + col + " >= ? AND " + col + " < ?)", []any{prefix, prefix[:len(prefix)-1] + "0"}
	}
	return col + " LIKE ? ESCAPE '\\'", []any{likeEscape(prefix) + "%"}
}

// startsWith returns the condition that col starts with s. On SQLite it is a range the
// column's index can serve, without the re-preparing a bound LIKE pattern causes.
func (db *DB) startsWith(col, s string) (string, []any) {
	if db.Dialect == SQLite {
		return "(" + col + " >= ? AND " + col + " < ?)", []any{s, s + "\U0010FFFF"}
	}
	return col + " LIKE ? ESCAPE '\\'", []any{likeEscape(s) + "%"}
}

// contains returns the condition that col contains s.
func (db *DB) contains(col, s string) (string, []any) {
	if db.Dialect == SQLite {
		return "instr(" + col + ", ?) > 0", []any{s}
	}
	return col + " LIKE ? ESCAPE '\\'", []any{"%" + likeEscape(s) + "%"}
}
