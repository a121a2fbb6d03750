package store

import (
	"context"
	"strings"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
)

// RevealPeople decrypts the personal numbers of many people for an export and writes the
// export's audit record in the same transaction.
func (db *DB) RevealPeople(ctx context.Context, ids []int64, rec *audit.Record) (map[int64]org.Secrets, error) {
	out := make(map[int64]org.Secrets, len(ids))
	err := db.inTx(ctx, func(tx *Tx) error {
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := tx.query(ctx, "SELECT id, id_number_enc, phone_enc FROM people WHERE id IN (?"+
				strings.Repeat(", ?", len(chunk)-1)+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var idEnc, phEnc []byte
				if err := rows.Scan(&id, &idEnc, &phEnc); err != nil {
					rows.Close()
					return err
				}
				var s org.Secrets
				if s.IDNumber, err = db.sealer.Open("id_number", idEnc); err != nil {
					rows.Close()
					return err
				}
				if s.Phone, err = db.sealer.Open("phone", phEnc); err != nil {
					rows.Close()
					return err
				}
				out[id] = s
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, rec)
	})
	return out, err
}
