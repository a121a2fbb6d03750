package loadtest

import (
	"context"
	"flag"
	"os"
	"runtime/pprof"
	"time"
)

// Flags are the options every load tool takes.
type Flags struct {
	Conns      int
	Duration   time.Duration
	Warmup     time.Duration
	Rounds     int
	PG         bool
	CPUProfile string
}

// Register defines the common flags on fs; target names the measured target in the profile
// flag's help.
func (f *Flags) Register(fs *flag.FlagSet, target string) {
	fs.IntVar(&f.Conns, "conns", 64, "concurrent keep-alive connections")
	fs.DurationVar(&f.Duration, "duration", 12*time.Second, "measured time per target")
	fs.DurationVar(&f.Warmup, "warmup", 2*time.Second, "warm-up per target")
	fs.IntVar(&f.Rounds, "rounds", 4, "interleaved rounds the measured time is split into")
	fs.BoolVar(&f.PG, "pg", false, "run on a throwaway PostgreSQL cluster instead of SQLite")
	fs.StringVar(&f.CPUProfile, "cpuprofile", "", "write a CPU profile of the "+target+" target's last round to this file")
}

// Run measures the targets in rounds as the flags say, writing a CPU profile of the named
// target's last round when asked.
func (f *Flags) Run(ctx context.Context, targets []*Target, profiled string) error {
	var profErr error
	Rounds(ctx, targets, f.Conns, f.Warmup, f.Duration, f.Rounds, func(t *Target, round int) func() {
		if f.CPUProfile == "" || t.Name != profiled || round != f.Rounds-1 {
			return nil
		}
		prof, err := os.Create(f.CPUProfile)
		if err != nil {
			profErr = err
			return nil
		}
		pprof.StartCPUProfile(prof)
		return func() { pprof.StopCPUProfile(); prof.Close() }
	})
	return profErr
}
