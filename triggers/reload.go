package triggers

import (
	"crypto/sha256"
	"os"
	"sync"
)

// A hot reload reads every file again while the configuration in use
// stays in memory. So that it does not hold two copies of everything, Check
// remembers what the last load read of each file, by path and content: a
// file that has not changed is not parsed again, and its jobs, presets
// merged, are the very Job values of the configuration in use, which are
// never modified once loaded (presets are merged into a job when it is
// read, before any configuration holds it). When the presets changed, the jobs of
// unchanged files are read again. Only the files of the last load are
// remembered, each with the jobs as that load left them, so a process
// holds little beyond its configuration.
//
// This holds only while reading a job depends on its own file alone, and
// on the presets: a setting of config.yaml that changes how jobs of other
// files are read (default decoration, say) must join the presets' identity
// (loader.presetsSum), or such files be read again when it changes.

// lastRead is what the last Check read.
var lastRead = struct {
	sync.Mutex
	files map[string]*fileReader
	// presets identifies the presets merged into the remembered jobs.
	presets [sha256.Size]byte
}{}

// fileSet is the files one Check reads: those it found unchanged and
// those it read anew, to be remembered when it is done.
type fileSet struct {
	mu      sync.Mutex
	before  map[string]*fileReader
	presets [sha256.Size]byte
	now     map[string]*fileReader
}

func newFileSet() *fileSet {
	lastRead.Lock()
	defer lastRead.Unlock()
	return &fileSet{before: lastRead.files, presets: lastRead.presets, now: map[string]*fileReader{}}
}

// read reads one file, or takes the last load's reading when its content
// is the same.
func (s *fileSet) read(path string, rs regexps) *fileReader {
	data, err := os.ReadFile(path)
	if err != nil {
		return readFile(path, rs)
	}
	sum := sha256.Sum256(data)
	s.mu.Lock()
	f, ok := s.before[path]
	s.mu.Unlock()
	if !ok || f.sum != sum {
		f = readData(data, path, rs)
		f.sum, f.regexps = sum, regexps{}
	}
	s.mu.Lock()
	s.now[path] = f
	s.mu.Unlock()
	return f
}

// remember keeps this load's files for the next one, noting the jobs
// that have their presets merged now (final).
func (s *fileSet) remember(final map[*Job]bool, presets [sha256.Size]byte) {
	files := make(map[string]*fileReader, len(s.now))
	for path, f := range s.now {
		kept := *f
		kept.jobs = make([]readJob, len(f.jobs))
		for i, r := range f.jobs {
			r.presetsDone = r.presetsDone || final[r.job]
			kept.jobs[i] = r
		}
		files[path] = &kept
	}
	lastRead.Lock()
	defer lastRead.Unlock()
	lastRead.files, lastRead.presets = files, presets
}

// ForgetReads drops what Check remembers of the files it read, so the
// next Check parses every file again. A process that loads once, or a
// measurement of a first load, calls it; a service reloading its
// configuration has no need to.
func ForgetReads() {
	lastRead.Lock()
	defer lastRead.Unlock()
	lastRead.files, lastRead.presets = nil, [sha256.Size]byte{}
}
