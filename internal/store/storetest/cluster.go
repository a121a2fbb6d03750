package storetest

import (
	"database/sql"
	"fmt"
	"regexp"
)

// StartPostgres gives tools outside tests (load scripts, benchmarks run by hand) the server
// the tests use: DANGJIAN_TEST_POSTGRES when set, otherwise a throwaway cluster started with
// initdb and pg_ctl on 127.0.0.1 (fsync off: it is for measuring and testing, never for data
// to keep). It returns the base URL postgres://user@host:port and a stop function, nil when
// nothing was started.
func StartPostgres() (baseURL string, stop func(), err error) {
	return startPostgres()
}

var dbName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// CreateDatabase creates an empty database in the server at baseURL and returns its URL.
func CreateDatabase(baseURL, name string) (string, error) {
	if !dbName.MatchString(name) {
		return "", fmt.Errorf("storetest: bad database name %q", name)
	}
	admin, err := sql.Open("pgx", baseURL+"/postgres?sslmode=disable")
	if err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return "", fmt.Errorf("storetest: create database: %w", err)
	}
	return baseURL + "/" + name + "?sslmode=disable", nil
}

// DropDatabase removes a database that CreateDatabase made, closing its connections.
func DropDatabase(baseURL, name string) error {
	if !dbName.MatchString(name) {
		return fmt.Errorf("storetest: bad database name %q", name)
	}
	admin, err := sql.Open("pgx", baseURL+"/postgres?sslmode=disable")
	if err != nil {
		return fmt.Errorf("storetest: %w", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
		return fmt.Errorf("storetest: drop database: %w", err)
	}
	return nil
}
