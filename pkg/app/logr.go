package app

import (
	"github.com/go-logr/logr"
	"github.com/sirupsen/logrus"
)

// logrusSink writes controller-runtime's structured logs through logrus,
// so the process logs one JSON format.
type logrusSink struct {
	entry *logrus.Entry
	name  string
}

func (s logrusSink) Init(logr.RuntimeInfo) {}

// Enabled passes info logs of verbosity 0 only: controller-runtime's
// debug chatter stays out of the logs.
func (s logrusSink) Enabled(level int) bool { return level == 0 }

func (s logrusSink) Info(_ int, msg string, kv ...any) {
	s.with(kv).Info(msg)
}

func (s logrusSink) Error(err error, msg string, kv ...any) {
	s.with(kv).WithError(err).Error(msg)
}

func (s logrusSink) WithValues(kv ...any) logr.LogSink {
	return logrusSink{entry: s.with(kv), name: s.name}
}

func (s logrusSink) WithName(name string) logr.LogSink {
	if s.name != "" {
		name = s.name + "." + name
	}
	return logrusSink{entry: s.entry.WithField("logger", name), name: name}
}

func (s logrusSink) with(kv []any) *logrus.Entry {
	fields := logrus.Fields{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			fields[k] = kv[i+1]
		}
	}
	return s.entry.WithFields(fields)
}
