package app

import (
	"context"

	"github.com/dangjian/dangjian/internal/demo"
)

// Demo is the demo data set as LoadDemo wrote it.
type Demo struct {
	*demo.Data
	Activities *demo.Activities
	Masswork   *demo.Masswork
}

// LoadDemo fills the empty, migrated database with the demo data set: the model case's
// organizations, people and accounts (every account with password, or random ones when it is
// empty), its activities and their records, and its work with the masses.
func (a *App) LoadDemo(ctx context.Context, password string) (*Demo, error) {
	d, err := demo.Load(ctx, a.Org, a.Auth, a.Now(), password)
	if err != nil {
		return nil, err
	}
	out := &Demo{Data: d}
	if out.Activities, err = demo.LoadActivities(ctx, a.Activity, a.Org, d, a.Now()); err != nil {
		return nil, err
	}
	if err := demo.LoadRecords(ctx, a.Activity, out.Activities, d); err != nil {
		return nil, err
	}
	out.Masswork, err = demo.LoadMasswork(ctx, demo.MassworkDeps{Store: a.DB, Orgs: a.DB, Register: a.Org, Users: a.Auth, Zone: a.Zone}, d, a.Now())
	return out, err
}
