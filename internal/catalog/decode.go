package catalog

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// decodeStrict decodes data as exactly one JSON value of type T. It rejects
// empty input, data after the value, unknown object fields, and null unless
// T can hold it. The error is an [*InputError] without Pipeline and Line.
func decodeStrict[T any](data []byte) (T, error) {
	var v T
	expected := describeJSONType(reflect.TypeFor[T]())
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()

	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err, expected)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return v, &InputError{Expected: expected, Err: ErrMalformedJSON,
			Detail: "unexpected data after the JSON value"}
	}
	if isNull(data) && !nullable(reflect.TypeFor[T]()) {
		return v, &InputError{Expected: expected, Err: ErrWrongType, Detail: "got null"}
	}
	return v, nil
}

func decodeError(err error, expected string) error {
	var syntax *json.SyntaxError
	var mismatch *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &InputError{Expected: expected, Err: ErrMalformedJSON,
			Detail: "empty input, expected " + expected}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &InputError{Expected: expected, Err: ErrMalformedJSON,
			Detail: "unexpected end of input", Cause: err}
	case errors.As(err, &syntax):
		return &InputError{Expected: expected, Err: ErrMalformedJSON,
			Detail: fmt.Sprintf("%v (byte %d)", syntax, syntax.Offset), Cause: err}
	case errors.As(err, &mismatch) && mismatch.Field != "":
		return &InputError{Expected: expected, Err: ErrWrongType, Cause: err,
			Detail: fmt.Sprintf("field %q: expected %s, got %s", mismatch.Field,
				describeJSONType(mismatch.Type), mismatch.Value)}
	case errors.As(err, &mismatch):
		return &InputError{Expected: expected, Err: ErrWrongType, Cause: err,
			Detail: "got " + mismatch.Value}
	}
	// The remaining decoder errors, such as an unknown field, have no type of
	// their own. All of them mean that the value does not fit the input type.
	return &InputError{Expected: expected, Err: ErrWrongType, Detail: err.Error(), Cause: err}
}

func isNull(data []byte) bool {
	return bytes.Equal(bytes.TrimSpace(data), []byte("null"))
}

func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return true
	}
	return false
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// describeJSONType names the JSON that decodes into t, such as "a JSON
// string" or "a JSON object (Go type fileinfo.Request)".
func describeJSONType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(jsonUnmarshaler):
		return fmt.Sprintf("a JSON value of Go type %v", t)
	case pt.Implements(textUnmarshaler):
		return "a JSON string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a JSON string"
	case reflect.Bool:
		return "a JSON boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a JSON integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a JSON non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a JSON number"
	case reflect.Struct, reflect.Map:
		return fmt.Sprintf("a JSON object (Go type %v)", t)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return "a JSON string of base64 data"
		}
		return fmt.Sprintf("a JSON array (Go type %v)", t)
	}
	return fmt.Sprintf("a JSON value of Go type %v", t)
}

// utf8BOM is the byte order mark that some editors write at the start of a
// UTF-8 file.
var utf8BOM = []byte("\xef\xbb\xbf")

// decodeLines decodes JSON Lines from r: one value of type T per line, and
// returns the values with the 1-based line number of each. Blank lines and a
// UTF-8 byte order mark at the start are skipped. The error is an
// [*InputError] with the line number, or a read error.
func decodeLines[T any](r io.Reader) ([]T, []int, error) {
	var values []T
	var lineNumbers []int
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("read line %d: %w", line, err)
		}
		if line == 1 {
			text = bytes.TrimPrefix(text, utf8BOM)
		}
		if len(bytes.TrimSpace(text)) > 0 {
			v, derr := decodeStrict[T](text)
			if derr != nil {
				ierr := derr.(*InputError)
				ierr.Line = line
				return nil, nil, ierr
			}
			values = append(values, v)
			lineNumbers = append(lineNumbers, line)
		}
		if err != nil {
			return values, lineNumbers, nil
		}
	}
}
