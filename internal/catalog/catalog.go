package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Catalog is a set of entries by pipeline name. It is immutable and safe
// for concurrent use.
type Catalog struct {
	entries map[string]*Entry
}

// New returns a catalog of entries. Two entries with one name are an error.
func New(entries ...*Entry) (*Catalog, error) {
	c := &Catalog{entries: make(map[string]*Entry, len(entries))}
	for _, e := range entries {
		if _, dup := c.entries[e.Name()]; dup {
			return nil, fmt.Errorf("catalog: two pipelines named %q", e.Name())
		}
		c.entries[e.Name()] = e
	}
	return c, nil
}

// Lookup returns the entry named name, or an [*InputError] matching
// [ErrUnknownPipeline] that lists the known names.
func (c *Catalog) Lookup(name string) (*Entry, error) {
	if e, ok := c.entries[name]; ok {
		return e, nil
	}
	return nil, &InputError{Pipeline: name, Err: ErrUnknownPipeline,
		Detail: "known pipelines: " + strings.Join(c.Names(), ", ")}
}

// Names returns the pipeline names in sorted order.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.entries))
	for name := range c.entries {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Entries returns the entries sorted by name.
func (c *Catalog) Entries() []*Entry {
	entries := make([]*Entry, 0, len(c.entries))
	for _, name := range c.Names() {
		entries = append(entries, c.entries[name])
	}
	return entries
}

// Definitions returns the Temporal definitions of the entries, sorted by
// name, for registration on a worker.
func (c *Catalog) Definitions() []temporalrun.Definition {
	entries := c.Entries()
	defs := make([]temporalrun.Definition, len(entries))
	for i, e := range entries {
		defs[i] = e.Definition()
	}
	return defs
}
