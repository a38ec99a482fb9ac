package domain_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/loyaltybot/loyaltybot"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

// listPackages runs go list over the module.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestDependencyRule keeps the layers of DESIGN.md §2 / STYLE.md true:
// domain uses the standard library only; flows knows no Telegram, SQL or
// HTTP; storage knows no Telegram; only bot talks to go-telegram/bot.
func TestDependencyRule(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, d := range p.Deps {
			switch {
			case rel == "domain" && !isStd(d):
				t.Errorf("domain depends on %s; it may use the standard library only", d)
			case strings.HasPrefix(rel, "flows") && (strings.Contains(d, "go-telegram") || strings.Contains(d, "pgx")):
				t.Errorf("%s depends on %s", rel, d)
			case strings.HasPrefix(rel, "domain/postgres") && (strings.Contains(d, "go-telegram") || strings.HasPrefix(d, module+"/bot") || strings.HasPrefix(d, module+"/flows")):
				t.Errorf("%s depends on %s", rel, d)
			case rel == "chart" && (strings.HasPrefix(d, module) || strings.Contains(d, "go-telegram") || strings.Contains(d, "pgx")):
				t.Errorf("chart depends on %s; it draws what it is given and knows nothing of the business", d)
			case rel == "bot/posapi" && d == module+"/flows":
				// The POS API calls the use cases; what follows a purchase
				// is the reactions' business, not a chat flow's.
				t.Errorf("bot/posapi depends on %s; call the domain.Service instead", d)
			}
		}
		for _, imp := range p.Imports {
			if strings.Contains(imp, "go-telegram/bot") && !strings.HasPrefix(rel, "bot") {
				t.Errorf("%s imports %s; only bot/ may", rel, imp)
			}
			if rel == "flows" && imp == "net/http" {
				t.Errorf("flows imports net/http")
			}
			if rel == "domain" && (imp == "net/http" || strings.HasPrefix(imp, module)) {
				t.Errorf("domain imports %s", imp)
			}
		}
	}
}
