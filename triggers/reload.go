package triggers

import (
	"crypto/sha256"
	"os"
	"sync"
)

// A hot reload reads every file again while the configuration in use
// stays in memory. So that it does not hold two copies of everything, Check
// remembers what the last load read of each file, by path and content: a
// file that has not changed is not parsed again, and its jobs share their
// decoded fields (pod specs, labels, compiled expressions) with the
// configuration in use: the same Job values, which are never modified once
// loaded. A job presets change is a copy, remembered with the presets'
// identity, so that it too is shared while neither it nor they change.
// Only the files of the last load are remembered.

// lastRead is what the last Check read.
var lastRead = struct {
	sync.Mutex
	files map[string]*fileReader
	// merged are the jobs presets changed, by job as read.
	merged map[*Job]mergedJob
}{}

// mergedJob is a job with its presets merged, and the presets' identity.
type mergedJob struct {
	presets [sha256.Size]byte
	job     *Job
}

// fileSet is the files one Check reads: those it found unchanged and
// those it read anew, to be remembered when it is done.
type fileSet struct {
	mu     sync.Mutex
	before map[string]*fileReader
	now    map[string]*fileReader
}

func newFileSet() *fileSet {
	lastRead.Lock()
	defer lastRead.Unlock()
	return &fileSet{before: lastRead.files, now: map[string]*fileReader{}}
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

// remember keeps this load's files and merged specs for the next one.
func (s *fileSet) remember(merged map[*Job]mergedJob) {
	lastRead.Lock()
	defer lastRead.Unlock()
	lastRead.files, lastRead.merged = s.now, merged
}

func lastMerged() map[*Job]mergedJob {
	lastRead.Lock()
	defer lastRead.Unlock()
	return lastRead.merged
}

// ForgetReads drops what Check remembers of the files it read, so the
// next Check parses every file again. A process that loads once, or a
// measurement of a first load, calls it; a service reloading its
// configuration has no need to.
func ForgetReads() {
	lastRead.Lock()
	defer lastRead.Unlock()
	lastRead.files, lastRead.merged = nil, nil
}
