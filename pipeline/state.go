package pipeline

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
)

// stateCopier makes deep copies of run states. A state type that contains no
// references (no pointer, map, slice, interface, channel or function at any
// depth) is copied by assignment. Any other type is copied by a JSON round
// trip, which keeps only exported fields without a `json:"-"` tag. The same
// rule decides what survives a trip through Temporal.
type stateCopier[S any] struct {
	byValue bool
}

func newStateCopier[S any]() (stateCopier[S], error) {
	t := reflect.TypeFor[S]()
	if err := checkJSONType(t, map[reflect.Type]bool{}); err != nil {
		return stateCopier[S]{}, fmt.Errorf("encode %v: %w", t, err)
	}
	if _, err := json.Marshal(new(S)); err != nil {
		return stateCopier[S]{}, fmt.Errorf("encode zero %v: %w", t, err)
	}
	return stateCopier[S]{byValue: !hasReferences(t, map[reflect.Type]bool{})}, nil
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// checkJSONType reports a type that encoding/json rejects anywhere inside t.
// Encoding the zero value is not enough to find one, because a nil pointer,
// slice or map is encoded as null without a look at its element type.
func checkJSONType(t reflect.Type, seen map[reflect.Type]bool) error {
	if seen[t] || implementsMarshaler(t) {
		return nil
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128,
		reflect.UnsafePointer:
		return &json.UnsupportedTypeError{Type: t}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkJSONType(t.Elem(), seen)
	case reflect.Map:
		if !jsonMapKey(t.Key()) {
			return &json.UnsupportedTypeError{Type: t}
		}
		return checkJSONType(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); jsonField(f) {
				if err := checkJSONType(f.Type, seen); err != nil {
					return fmt.Errorf("field %s: %w", f.Name, err)
				}
			}
		}
	}
	return nil
}

// jsonField reports whether encoding/json encodes the struct field f: an
// exported field, or an embedded struct (or pointer to one) whose exported
// fields are promoted, unless its tag is "-".
func jsonField(f reflect.StructField) bool {
	if f.Tag.Get("json") == "-" {
		return false
	}
	if f.IsExported() {
		return true
	}
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return f.Anonymous && t.Kind() == reflect.Struct
}

func implementsMarshaler(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonMarshalerType) || pt.Implements(jsonMarshalerType) ||
		t.Implements(textMarshalerType) || pt.Implements(textMarshalerType)
}

// jsonMapKey reports whether encoding/json accepts t as a map key type.
func jsonMapKey(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32,
		reflect.Uint64, reflect.Uintptr:
		return true
	}
	return t.Implements(textMarshalerType)
}

// hasReferences reports whether values of t can share memory when copied by
// assignment.
func hasReferences(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Chan,
		reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return hasReferences(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if hasReferences(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// snapshot is a frozen copy of a state from which fresh copies are made.
type snapshot[S any] struct {
	value S
	data  []byte
}

func (c stateCopier[S]) snapshot(s *S) (snapshot[S], error) {
	if c.byValue {
		return snapshot[S]{value: *s}, nil
	}
	data, err := json.Marshal(s)
	if err != nil {
		return snapshot[S]{}, fmt.Errorf("pipeline: copy run state: %w", err)
	}
	return snapshot[S]{data: data}, nil
}

// fresh returns a new state equal to the snapshot and sharing nothing with it.
func (c stateCopier[S]) fresh(snap *snapshot[S]) (*S, error) {
	s := new(S)
	if c.byValue {
		*s = snap.value
		return s, nil
	}
	if err := json.Unmarshal(snap.data, s); err != nil {
		return nil, fmt.Errorf("pipeline: copy run state: %w", err)
	}
	return s, nil
}

func (c stateCopier[S]) copy(s *S) (*S, error) {
	snap, err := c.snapshot(s)
	if err != nil {
		return nil, err
	}
	return c.fresh(&snap)
}

var copiers sync.Map // reflect.Type -> stateCopier[S] for that S

func copierFor[S any]() (stateCopier[S], error) {
	t := reflect.TypeFor[S]()
	if c, ok := copiers.Load(t); ok {
		return c.(stateCopier[S]), nil
	}
	c, err := newStateCopier[S]()
	if err != nil {
		return c, err
	}
	copiers.Store(t, c)
	return c, nil
}
