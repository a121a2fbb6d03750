package store

import (
	"context"
	"errors"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
)

// errNotBuilt marks a mass-work method whose body is still being written.
var errNotBuilt = errors.New("store: not built yet")

var _ masswork.Store = (*DB)(nil)

func (db *DB) FindCategories(ctx context.Context, roots []string, activeOnly bool) ([]*masswork.Category, error) {
	return nil, errNotBuilt
}

func (db *DB) FindCategoryByID(ctx context.Context, id int64) (*masswork.Category, error) {
	return nil, errNotBuilt
}

func (db *DB) FindCategoryByCode(ctx context.Context, code string) (*masswork.Category, error) {
	return nil, errNotBuilt
}

func (db *DB) SaveCategory(ctx context.Context, c *masswork.Category, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) FindHolidays(ctx context.Context, from, to string) ([]masswork.Holiday, error) {
	return nil, errNotBuilt
}

func (db *DB) SaveHolidays(ctx context.Context, days []masswork.Holiday, from, to string, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) CreateMatter(ctx context.Context, m *masswork.Matter, p *masswork.Problem, grams []int32, ev *masswork.Event, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) AddProblem(ctx context.Context, p *masswork.Problem, grams []int32, ev *masswork.Event, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) FindMatters(ctx context.Context, f masswork.MatterFilter) ([]*masswork.Matter, int, error) {
	return nil, 0, errNotBuilt
}

func (db *DB) FindMatterByID(ctx context.Context, id int64) (*masswork.Matter, error) {
	return nil, errNotBuilt
}

func (db *DB) FindMatterByCode(ctx context.Context, code string) (*masswork.Matter, error) {
	return nil, errNotBuilt
}

func (db *DB) FindProblemByCode(ctx context.Context, code string) (*masswork.Problem, error) {
	return nil, errNotBuilt
}

func (db *DB) FindProblems(ctx context.Context, matterID int64) ([]*masswork.Problem, error) {
	return nil, errNotBuilt
}

func (db *DB) FindEvents(ctx context.Context, matterID int64, publicOnly bool) ([]*masswork.Event, error) {
	return nil, errNotBuilt
}

func (db *DB) RevealProblemPhone(ctx context.Context, problemID int64, rec *audit.Record) (string, error) {
	return "", errNotBuilt
}

func (db *DB) Similar(ctx context.Context, categoryID int64, grams []int32, limit int) ([]*masswork.Match, error) {
	return nil, errNotBuilt
}

func (db *DB) UpdateMatter(ctx context.Context, m *masswork.Matter, evs []*masswork.Event, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) Merge(ctx context.Context, into, from *masswork.Matter, evs []*masswork.Event, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) Split(ctx context.Context, from *masswork.Matter, problemIDs []int64, m *masswork.Matter, grams []int32, evs []*masswork.Event, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) DueMatters(ctx context.Context, now time.Time, limit int) ([]*masswork.Matter, error) {
	return nil, errNotBuilt
}

func (db *DB) AskFeedback(ctx context.Context, fb []*masswork.Feedback) error {
	return errNotBuilt
}

func (db *DB) FindFeedback(ctx context.Context, matterID int64, round int) ([]*masswork.Feedback, error) {
	return nil, errNotBuilt
}

func (db *DB) AnswerFeedback(ctx context.Context, fb *masswork.Feedback, m *masswork.Matter, evs []*masswork.Event, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) StaleResolved(ctx context.Context, before time.Time, limit int) ([]*masswork.Matter, error) {
	return nil, errNotBuilt
}

func (db *DB) FindAPIKeyByHash(ctx context.Context, hash string) (*masswork.APIKey, error) {
	return nil, errNotBuilt
}

func (db *DB) FindAPIKeys(ctx context.Context, orgID int64) ([]*masswork.APIKey, error) {
	return nil, errNotBuilt
}

func (db *DB) CreateAPIKey(ctx context.Context, k *masswork.APIKey, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time, rec *audit.Record) error {
	return errNotBuilt
}

func (db *DB) AddPhotos(ctx context.Context, problemID int64, photos []*masswork.Photo, max int) error {
	return errNotBuilt
}

func (db *DB) FindPhotos(ctx context.Context, matterID int64) ([]*masswork.Photo, error) {
	return nil, errNotBuilt
}

func (db *DB) FindPhotoContent(ctx context.Context, photoID int64, thumb bool) (*masswork.Photo, error) {
	return nil, errNotBuilt
}
