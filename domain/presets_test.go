package domain

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPresetsValidate(t *testing.T) {
	names := PresetNames()
	if !slices.Equal(names, []string{"auto", "basic", "beauty", "kids", "pets"}) {
		t.Fatalf("PresetNames() = %v", names)
	}
	for _, n := range names {
		qn := questionnaireOf(t, n)
		if err := qn.Validate([]string{"ru", "en", "uz"}); err != nil {
			t.Errorf("preset %s: %v", n, err)
		}
		s := qn.Sections[0]
		if s.ID != n || s.Bonus < 30 || s.Bonus > 50 {
			t.Errorf("preset %s: section %+v", n, s)
		}
		if want := map[bool]string{true: OfferFirstPurchase, false: OfferNudge}[n == "basic"]; s.Offer != want {
			t.Errorf("preset %s: offer %q, want %q", n, s.Offer, want)
		}
		for _, q := range qn.Questions {
			if q.Reward < 10 || q.Reward > 20 {
				t.Errorf("preset %s: %s reward %d", n, q.ID, q.Reward)
			}
		}
	}
	// All together, as an owner may select them: no id or fact collides.
	if err := questionnaireOf(t, names...).Validate([]string{"ru", "en", "uz"}); err != nil {
		t.Fatalf("all presets: %v", err)
	}
	if _, _, ok := Preset("garage"); ok {
		t.Fatal(`Preset("garage") found`)
	}
}

func TestPresetContents(t *testing.T) {
	kinds := func(qs []Question) string {
		var b []string
		for _, q := range qs {
			k := q.ID + ":" + string(q.Type)
			if q.Optional {
				k += "?"
			}
			b = append(b, k)
		}
		return strings.Join(b, " ")
	}
	tests := map[string]string{
		"basic":  "birthday:birthday email:email gender:choice? city:city",
		"kids":   "children:group?",
		"pets":   "has_pet:yesno pets:group",
		"auto":   "car_make:text car_model:text car_year:number",
		"beauty": "skin_type:choice beauty_interests:multi",
	}
	for name, want := range tests {
		_, qs, _ := PresetAt(name, questionNow)
		if got := kinds(qs); got != want {
			t.Errorf("preset %s = %s, want %s", name, got, want)
		}
	}
	_, kids, _ := PresetAt("kids", questionNow)
	if got := kinds(kids[0].Fields); got != "name:name? birthday:birthday sex:choice" || kids[0].Fact != "child" || kids[0].MaxItems() != 5 {
		t.Errorf("kids fields = %s, fact %q", got, kids[0].Fact)
	}
	_, pets, _ := PresetAt("pets", questionNow)
	if got := kinds(pets[1].Fields); got != "species:choice name:name? birthday:birthday?" ||
		*pets[1].If != (Condition{"has_pet", "yes"}) || pets[1].Fact != "pet" {
		t.Errorf("pets fields = %s, if %+v", got, pets[1].If)
	}
	_, auto, _ := PresetAt("auto", questionNow)
	if y := auto[2]; y.Min != 1950 || y.Max != 2026 || y.Fact != "car_year" {
		t.Errorf("car_year = %+v", y)
	}
	if _, auto, _ := Preset("auto"); auto[2].Max != int64(time.Now().Year()+1) {
		t.Errorf("Preset(auto) car_year max = %d", auto[2].Max)
	}
	// Fresh values on each call: changing one does not leak into the next.
	_, a, _ := PresetAt("basic", questionNow)
	a[0].Text["ru"] = "changed"
	if _, b, _ := PresetAt("basic", questionNow); b[0].Text["ru"] == "changed" {
		t.Fatal("presets share their maps")
	}
}
