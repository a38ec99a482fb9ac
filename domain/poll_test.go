package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPollOption(t *testing.T) {
	have := []string{"Friday", "Чизкейк"}
	tests := []struct {
		in, want, reason string
	}{
		{"  Saturday  evening ", "Saturday evening", ""},
		{"friday", "", "broadcast.poll.option_duplicate"},
		{" ЧИЗКЕЙК ", "", "broadcast.poll.option_duplicate"},
		{"Fri day", "Fri day", ""},
		{"   ", "", "broadcast.poll.option_length"},
		{strings.Repeat("я", MaxPollOptionLen), strings.Repeat("я", MaxPollOptionLen), ""},
		{strings.Repeat("я", MaxPollOptionLen+1), "", "broadcast.poll.option_length"},
	}
	for _, tt := range tests {
		got, err := CheckPollOption(tt.in, have)
		var v *ValidationError
		switch {
		case tt.reason == "" && (err != nil || got != tt.want):
			t.Errorf("CheckPollOption(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.reason != "" && (!errors.As(err, &v) || v.Reason != tt.reason):
			t.Errorf("CheckPollOption(%q) = %q, %v; want %s", tt.in, got, err, tt.reason)
		}
	}
	if err := checkPoll(&Broadcast{Options: []string{"Yes", "No", "yes"}}); err == nil {
		t.Error("checkPoll let a poll with two equal answers through")
	}
}
