package notify

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		backoff func(int) time.Duration
		attempt int
		want    time.Duration
	}{
		{"email first", emailBackoff, 1, time.Minute},
		{"email doubles", emailBackoff, 3, 4 * time.Minute},
		{"email at most six hours", emailBackoff, 20, 6 * time.Hour},
		{"webhook first", webhookBackoff, 1, 30 * time.Second},
		{"webhook doubles", webhookBackoff, 4, 4 * time.Minute},
		{"webhook at most twelve hours", webhookBackoff, 30, 12 * time.Hour},
	}
	for _, tt := range cases {
		if got := tt.backoff(tt.attempt); got != tt.want {
			t.Errorf("%s: after attempt %d %v, want %v", tt.name, tt.attempt, got, tt.want)
		}
	}
}
