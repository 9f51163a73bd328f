package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hawker/catalog"
	"hawker/participants"
	"hawker/training"
)

// TestParticipantKeysExist: the keys the participants and training packages
// return, and the keys the pages build from values, are all translated.
func TestParticipantKeysExist(t *testing.T) {
	tr, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	keyLit := regexp.MustCompile(`"((?:input|participant|plan|training|consent|eligibility)\.[a-z_]+)"`)
	for _, dir := range []string{"../participants", "../training"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyLit.FindAllStringSubmatch(string(b), -1) {
				keys = append(keys, m[1])
			}
		}
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys: the pattern is wrong", len(keys))
	}
	for _, s := range participants.States {
		keys = append(keys, "state."+s)
	}
	for _, r := range []string{participants.ReasonErased, participants.ReasonNoConsent, participants.ReasonTrainingMissing, participants.ReasonTrainingExpired, participants.ReasonNoApprovedPlan} {
		keys = append(keys, "eligibility."+r)
	}
	for _, s := range []participants.PlanState{participants.Draft, participants.Submitted, participants.Returned, participants.Approved} {
		keys = append(keys, "plan.state_"+string(s))
	}
	for _, p := range participants.Purposes {
		keys = append(keys, "consent."+string(p))
	}
	for _, tab := range fileTabs {
		keys = append(keys, "tab."+tab)
	}
	for _, s := range []training.Status{training.Missing, training.Current, training.Expired} {
		keys = append(keys, "training.status_"+string(s))
	}
	for _, k := range []training.Kind{training.FoodHandler, training.Programme} {
		keys = append(keys, "training.kind_"+string(k))
	}
	for _, n := range fileNotices {
		keys = append(keys, n)
	}
	for _, n := range planNotices {
		keys = append(keys, n)
	}
	for _, k := range keys {
		if !tr.Has(k) {
			t.Errorf("key %q is in no translation table", k)
		}
	}
}
