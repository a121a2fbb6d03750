package storetest

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// BulkInsert writes rows with multi-row INSERTs of 400 rows in one transaction, for
// benchmarks and load tools that need large data sets fast. head is "INSERT INTO t (a, b)
// VALUES "; placeholders are ? for SQLite and $n for PostgreSQL.
func BulkInsert(db *sql.DB, postgres bool, head string, rows [][]any) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for start := 0; start < len(rows); start += 400 {
		end := min(start+400, len(rows))
		var sb strings.Builder
		sb.WriteString(head)
		var args []any
		for i, r := range rows[start:end] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for j := range r {
				if j > 0 {
					sb.WriteString(", ")
				}
				if postgres {
					sb.WriteString("$" + strconv.Itoa(len(args)+j+1))
				} else {
					sb.WriteString("?")
				}
			}
			sb.WriteString(")")
			args = append(args, r...)
		}
		if _, err := tx.Exec(sb.String(), args...); err != nil {
			return fmt.Errorf("storetest: %s: %w", strings.TrimSpace(head), err)
		}
	}
	return tx.Commit()
}
