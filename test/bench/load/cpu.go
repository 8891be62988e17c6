package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat.
const clockTicks = 100

// cpuSeconds reads the user+system CPU time a process has used.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / clockTicks
}

// stackPIDs reads the pids of the local stack's components from its run dir.
func stackPIDs() map[string]int {
	dir := os.Getenv("FRESNEL_STACK_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "fresnel-e2e", "run")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	pids := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && perr == nil {
			pids[strings.TrimSuffix(filepath.Base(f), ".pid")] = pid
		}
	}
	return pids
}

// cpuMeter measures the CPU each process spends between start and stop.
type cpuMeter struct {
	pids  map[string]int
	start map[string]float64
}

func startCPU(pids map[string]int) *cpuMeter {
	m := &cpuMeter{pids: pids, start: map[string]float64{}}
	for name, pid := range pids {
		m.start[name] = cpuSeconds(pid)
	}
	return m
}

// spent returns the CPU seconds each process used since startCPU.
func (m *cpuMeter) spent() map[string]float64 {
	out := map[string]float64{}
	for name, pid := range m.pids {
		out[name] = cpuSeconds(pid) - m.start[name]
	}
	return out
}

func formatCPU(spent map[string]float64, events int) string {
	names := make([]string, 0, len(spent))
	for n := range spent {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %.2fms", n, spent[n]*1000/float64(events)))
	}
	return strings.Join(parts, ", ")
}
