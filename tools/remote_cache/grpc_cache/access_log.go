package main

import (
	"os"
	"sync"
)

// accessLog appends one line per cache event ("ac-hit HASH", "cas-put HASH", ...), written
// at once so that a test can count hits while a build runs. A nil log records nothing.
type accessLog struct {
	mutex sync.Mutex
	file  *os.File
}

func openAccessLog(path string) (*accessLog, error) {
	if path == "" {
		return nil, nil
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &accessLog{file: file}, nil
}

func (l *accessLog) record(event, detail string) {
	if l == nil {
		return
	}
	l.mutex.Lock()
	defer l.mutex.Unlock()
	l.file.Write([]byte(event + " " + detail + "\n"))
}

func (l *accessLog) close() {
	if l != nil {
		l.file.Close()
	}
}
