package main

import (
	"fmt"
	"strings"
)

// maxListedDiffs is how many differing items an output mismatch lists.
const maxListedDiffs = 5

// compareResults returns an error matching errOutputsDiffer unless both
// workflows returned one result per path, in path order, with equal
// records, or failed the same items. Error messages are not compared,
// because the two workflows word their failures differently.
func compareResults(paths []string, ours, handWritten []itemResult) error {
	if len(ours) != len(paths) || len(handWritten) != len(paths) {
		return fmt.Errorf("%w: %d paths, but %d results from ours and %d from the "+
			"hand-written workflow", errOutputsDiffer, len(paths), len(ours), len(handWritten))
	}
	var diffs []string
	for i, path := range paths {
		if d := describeDiff(path, ours[i], handWritten[i]); d != "" {
			diffs = append(diffs, fmt.Sprintf("item %d: %s", i, d))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	listed := diffs[:min(len(diffs), maxListedDiffs)]
	return fmt.Errorf("%w: %d of %d items differ, first %d:\n  %s", errOutputsDiffer,
		len(diffs), len(paths), len(listed), strings.Join(listed, "\n  "))
}

// describeDiff returns how the results for path differ, or "" when they
// agree.
func describeDiff(path string, ours, handWritten itemResult) string {
	switch {
	case ours.Error != "" && handWritten.Error != "":
		return ""
	case ours.Error != "":
		return fmt.Sprintf("%s failed in ours only: %s", path, ours.Error)
	case handWritten.Error != "":
		return fmt.Sprintf("%s failed in the hand-written workflow only: %s",
			path, handWritten.Error)
	case ours.Record.Path != path:
		return fmt.Sprintf("ours returned the record of %s for %s", ours.Record.Path, path)
	case ours.Record != handWritten.Record:
		return fmt.Sprintf("ours %+v, hand-written %+v", ours.Record, handWritten.Record)
	}
	return ""
}
