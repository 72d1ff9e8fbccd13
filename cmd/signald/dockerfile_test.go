package main

import (
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestContainerKeepsKeysOffTheDataVolume (issue 18 finding 5): the image
// an operator builds as documented puts the database and the keys on two
// volumes, so one stolen or wrongly shared volume does not read
// everything; the README's run command mounts both.
func TestContainerKeepsKeysOffTheDataVolume(t *testing.T) {
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(SIGNAAL_[A-Z]+)=(\S+)`).FindAllStringSubmatch(string(df), -1) {
		env[m[1]] = m[2]
	}
	db, keys := env["SIGNAAL_DB"], env["SIGNAAL_KEYS"]
	if db == "" || keys == "" {
		t.Fatalf("the Dockerfile sets SIGNAAL_DB %q and SIGNAAL_KEYS %q; want both", db, keys)
	}
	dataDir := path.Dir(db)
	if keys == dataDir || strings.HasPrefix(keys, dataDir+"/") {
		t.Fatalf("the keys %s are on the database's volume %s", keys, dataDir)
	}
	vol := regexp.MustCompile(`(?m)^VOLUME\s+\[(.*)\]`).FindStringSubmatch(string(df))
	if vol == nil || !strings.Contains(vol[1], `"`+dataDir+`"`) || !strings.Contains(vol[1], `"`+keys+`"`) {
		t.Fatalf("VOLUME %v; want %s and %s as volumes of their own", vol, dataDir, keys)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`docker run[^\n]*-v \S+:` + regexp.QuoteMeta(dataDir) + `[^\n]*-v \S+:` + regexp.QuoteMeta(keys)).Match(readme) {
		t.Errorf("the README's docker run does not mount %s and %s apart", dataDir, keys)
	}
}
