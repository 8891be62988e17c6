package trust

import "time"

// DefaultTTL is how long a membership answer is kept: long enough that a
// burst of events (a push, its comments, a retest) asks the SCM once,
// short enough that removing someone from an org takes effect soon.
const DefaultTTL = 5 * time.Minute

// DefaultCacheSize bounds how many answers are kept.
const DefaultCacheSize = 10000
