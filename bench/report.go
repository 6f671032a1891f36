package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Names of the two workflows in logs and in the table.
const (
	oursName        = "ours"
	handWrittenName = "hand-written"
)

// summary holds the measured rounds of both workflows.
type summary struct {
	items       int
	concurrency int
	rounds      int
	ours        sideStats
	handWritten sideStats
}

// sideStats holds one workflow's wall time and history summary per
// measured round, in round order.
type sideStats struct {
	walls     []time.Duration
	histories []historySummary
}

func (s *sideStats) add(run measuredRun) {
	s.walls = append(s.walls, run.outcome.wall)
	s.histories = append(s.histories, run.history)
}

// medianWall returns the median wall time of the rounds.
func (s sideStats) medianWall() time.Duration {
	return time.Duration(median(durationsToFloats(s.walls)))
}

// medianHistory returns the median over the rounds of one count of the
// history summary.
func (s sideStats) medianHistory(count func(historySummary) int) float64 {
	values := make([]float64, len(s.histories))
	for i, h := range s.histories {
		values[i] = float64(count(h))
	}
	return median(values)
}

// Counts of a history summary for medianHistory.
func eventCount(h historySummary) int        { return h.Events }
func workflowTaskCount(h historySummary) int { return h.WorkflowTasks }
func byteCount(h historySummary) int         { return h.Bytes }

func durationsToFloats(ds []time.Duration) []float64 {
	values := make([]float64, len(ds))
	for i, d := range ds {
		values[i] = float64(d)
	}
	return values
}

// median returns the middle value, or the mean of the two middle values
// for an even count, and 0 for no values.
func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(values))
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

// roundRatios returns ours/hand-written wall time for each round.
func (s summary) roundRatios() []float64 {
	ratios := make([]float64, min(len(s.ours.walls), len(s.handWritten.walls)))
	for i := range ratios {
		ratios[i] = float64(s.ours.walls[i]) / float64(s.handWritten.walls[i])
	}
	return ratios
}

// historyColumns are the per-item columns of the table that come from the
// histories, with the format of their values.
var historyColumns = []struct {
	count  func(historySummary) int
	format string
}{
	{eventCount, "\t%.2f"},
	{workflowTaskCount, "\t%.2f"},
	{byteCount, "\t%.0f"},
}

// print writes the table of results to w.
func (s summary) print(w io.Writer) error {
	fmt.Fprintf(w, "fileinfo Map on Temporal: %d items, concurrency %d, median of %d round(s)\n\n",
		s.items, s.concurrency, s.rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workflow\twall time\titems/s\tevents/item\tworkflow tasks/item\t"+
		"history bytes/item\twall time per round")
	for _, side := range []struct {
		name  string
		stats sideStats
	}{{oursName, s.ours}, {handWrittenName, s.handWritten}} {
		wall := side.stats.medianWall()
		fmt.Fprintf(tw, "%s\t%s\t%.1f", side.name, formatWall(wall),
			float64(s.items)/wall.Seconds())
		for _, col := range historyColumns {
			fmt.Fprintf(tw, col.format, side.stats.medianHistory(col.count)/float64(s.items))
		}
		fmt.Fprintf(tw, "\t%s\n", formatWalls(side.stats.walls))
	}
	s.printRatios(tw)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write the table: %w", err)
	}
	_, err := fmt.Fprintln(w, "\nThe last row divides each column of ours by that of the "+
		"hand-written workflow,\nfor the medians and for each round's wall times.")
	if err != nil {
		return fmt.Errorf("write the table: %w", err)
	}
	return nil
}

// printRatios writes the row of ratios ours/hand-written.
func (s summary) printRatios(w io.Writer) {
	oursWall, handWall := s.ours.medianWall(), s.handWritten.medianWall()
	fmt.Fprintf(w, "ours/hand-written\t%.3f\t%.3f", float64(oursWall)/float64(handWall),
		float64(handWall)/float64(oursWall))
	for _, col := range historyColumns {
		fmt.Fprintf(w, "\t%.3f",
			s.ours.medianHistory(col.count)/s.handWritten.medianHistory(col.count))
	}
	fmt.Fprintf(w, "\t%s\n", formatRatios(s.roundRatios()))
}

func formatWall(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

func formatWalls(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = formatWall(d)
	}
	return strings.Join(parts, " ")
}

func formatRatios(ratios []float64) string {
	parts := make([]string, len(ratios))
	for i, r := range ratios {
		parts[i] = fmt.Sprintf("%.3f", r)
	}
	return strings.Join(parts, " ")
}
