package main

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// checkTypes walks a scenario file against the scenario struct before it
// is decoded, so that a wrong type reads `line: key: want T, got K` with
// the full key path (profile.refresh_path, stages[2].rate). The decoder
// alone would turn `refresh_path: 5` into the string "5" and say nothing.
// It returns "" when every key is known and of the right kind; syntax
// errors are left to the decoder, which reports them with a position.
func checkTypes(data []byte, into reflect.Type) string {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return ""
	}
	c := typeChecker{anchors: map[string]ast.Node{}}
	for _, doc := range file.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if msg := c.check(doc.Body, into, ""); msg != "" {
			return msg
		}
	}
	return ""
}

type typeChecker struct {
	anchors map[string]ast.Node
	depth   int
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	stagePlanType = reflect.TypeOf(stagePlan{})
	stageListType = reflect.TypeOf([]stageYAML{})
)

// check compares node with want and returns the first mismatch found.
func (c *typeChecker) check(node ast.Node, want reflect.Type, key string) string {
	return c.checkField(node, field{typ: want}, key)
}

// field is a YAML key's Go type; numberOK marks a string that may be
// written as a bare number (a stage's rate: 400).
type field struct {
	typ      reflect.Type
	numberOK bool
}

func (c *typeChecker) checkField(node ast.Node, f field, key string) string {
	want := f.typ
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 { // deeper than any scenario; the decoder has the last word
		return ""
	}
	node, kind := c.resolve(node)
	if node == nil {
		return ""
	}
	line := node.GetToken().Position.Line
	bad := func(wantName string) string {
		return fmt.Sprintf("%d: %s: want %s, got %s", line, keyName(key), wantName, kind)
	}
	switch {
	case kind == "comment":
		return ""
	case want == stagePlanType:
		if kind == "string" {
			return ""
		}
		if kind != "a list" {
			return bad("a stage spec string or a list of stages")
		}
		return c.check(node, stageListType, key)
	case decodesItself(want):
		return "" // its own UnmarshalYAML says what it accepts
	case want == durationType:
		if kind != "string" {
			return bad("a duration like 10s")
		}
		if _, err := time.ParseDuration(scalarText(node)); err != nil {
			return bad("a duration like 10s")
		}
		return ""
	}
	switch want.Kind() {
	case reflect.String:
		if kind != "string" && !(f.numberOK && (kind == "an integer" || kind == "a number")) {
			return bad("a string")
		}
	case reflect.Bool:
		if kind != "true or false" {
			return bad("true or false")
		}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		if kind != "an integer" {
			return bad("an integer")
		}
	case reflect.Float64, reflect.Float32:
		if kind != "an integer" && kind != "a number" {
			return bad("a number")
		}
	case reflect.Slice:
		seq, ok := node.(*ast.SequenceNode)
		if !ok {
			return bad("a list of " + plural(want.Elem()))
		}
		for i, v := range seq.Values {
			if msg := c.check(v, want.Elem(), fmt.Sprintf("%s[%d]", key, i+1)); msg != "" {
				return msg
			}
		}
	case reflect.Struct:
		return c.checkMapping(node, kind, want, key)
	}
	return ""
}

// checkMapping checks every key of a mapping node against the struct's
// YAML fields; an unknown key is named with its path.
func (c *typeChecker) checkMapping(node ast.Node, kind string, want reflect.Type, key string) string {
	var pairs []*ast.MappingValueNode
	switch m := node.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		return fmt.Sprintf("%d: %s: want a mapping of keys, got %s", node.GetToken().Position.Line, keyName(key), kind)
	}
	fields := yamlFields(want)
	for _, p := range pairs {
		if p.Key == nil || p.Key.IsMergeKey() {
			continue // `<<: *base` merges are checked by the decoder
		}
		name := p.Key.GetToken().Value
		full := name
		if key != "" {
			full = key + "." + name
		}
		ft, ok := fields[name]
		if !ok {
			return fmt.Sprintf("%d: %s: unknown key", p.Key.GetToken().Position.Line, keyName(full))
		}
		if msg := c.checkField(p.Value, ft, full); msg != "" {
			return msg
		}
	}
	return ""
}

// resolve looks through anchors, aliases and tags to the node that will
// be decoded, and names its kind as a user would.
func (c *typeChecker) resolve(node ast.Node) (ast.Node, string) {
	for range 16 {
		switch n := node.(type) {
		case nil:
			return nil, ""
		case *ast.AnchorNode:
			if n.Name != nil {
				c.anchors[n.Name.GetToken().Value] = n.Value
			}
			node = n.Value
		case *ast.AliasNode:
			if n.Value == nil {
				return nil, ""
			}
			target, ok := c.anchors[n.Value.GetToken().Value]
			if !ok {
				return nil, "" // the decoder reports an unknown alias
			}
			node = target
		case *ast.TagNode:
			if n.Start != nil && n.Start.Value == "!!str" {
				return n, "string"
			}
			node = n.Value
		default:
			return node, kindOf(node)
		}
	}
	return nil, ""
}

// decodesItself reports a type with its own YAML or text decoding.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	for _, i := range []reflect.Type{
		reflect.TypeFor[yaml.BytesUnmarshaler](), reflect.TypeFor[yaml.InterfaceUnmarshaler](),
		reflect.TypeFor[yaml.BytesUnmarshalerContext](), reflect.TypeFor[yaml.InterfaceUnmarshalerContext](),
		reflect.TypeFor[yaml.NodeUnmarshaler](), reflect.TypeFor[yaml.NodeUnmarshalerContext](),
		reflect.TypeFor[encoding.TextUnmarshaler](),
	} {
		if t.Implements(i) || p.Implements(i) {
			return true
		}
	}
	return false
}

func kindOf(n ast.Node) string {
	switch n.Type() {
	case ast.StringType, ast.LiteralType:
		return "string"
	case ast.IntegerType:
		return "an integer"
	case ast.FloatType, ast.InfinityType, ast.NanType:
		return "a number"
	case ast.BoolType:
		return "true or false"
	case ast.NullType:
		return "nothing (null)"
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.CommentType, ast.CommentGroupType:
		return "comment"
	}
	return "a " + strings.ToLower(n.Type().String())
}

func plural(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.String:
		return "strings"
	case t.Kind() == reflect.Struct:
		return "mappings"
	}
	return t.Kind().String() + "s"
}

// scalarText is a scalar's value without quotes.
func scalarText(n ast.Node) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if l, ok := n.(*ast.LiteralNode); ok && l.Value != nil {
		return l.Value.Value
	}
	return n.GetToken().Value
}

// yamlFields maps the YAML keys of a struct to their types, with
// `,inline` structs flattened in. A `scalar:"number-ok"` tag lets a
// string key take a bare number.
func yamlFields(t reflect.Type) map[string]field {
	out := map[string]field{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = field{typ: f.Type, numberOK: f.Tag.Get("scalar") == "number-ok"}
	}
	return out
}

// keyName shows a key path, bounded and printable (keys come from the
// file and may hold anything).
func keyName(key string) string {
	if key == "" {
		return "the file"
	}
	key = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, key)
	return truncate(key, 80)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
