package refdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// kindRe is the shape of a dataset kind: "<module>.<name>", lower case.
var kindRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// fieldRe is the shape of a header field name; other "#" lines are comments.
var fieldRe = regexp.MustCompile(`^[a-z_]+$`)

// MaxKeyLen bounds a row key (in characters).
const MaxKeyLen = 120

// metaFields are the header fields of a dataset file that describe the dataset; rowFields may appear both in
// the header (as defaults) and as columns.
var (
	metaFields = map[string]bool{"kind": true, "title": true, "description": true, "value_type": true}
	rowFields  = map[string]bool{"key": true, "value": true, "unit": true, "region_code": true, "valid_from": true, "valid_to": true,
		"source_doc": true, "issuer": true, "confidence": true, "note": true}
)

// Parse reads a dataset file. The format is chosen by the name's extension.
//
// CSV (.csv): header lines "# field: value" describe the dataset and give row defaults (other "#" lines are
// comments; an unknown lower-case field name is an error, to catch typos); then a header row naming
// the columns (key and value required, the others optional, any order); then one row per line. Lines starting
// with "#" after the header are comments. Empty cells take the header default.
//
//	# kind: space.area_standard
//	# title: 党政机关办公室用房使用面积标准
//	# description: 办公室使用面积上限，按机关层级和职级（表1）
//	# value_type: number
//	# unit: m²/人
//	# source_doc: 发改投资〔2014〕2674号
//	# issuer: 国家发展改革委、住房城乡建设部
//	# valid_from: 2014-11-24
//	# confidence: V
//	key,value,note
//	central/minister,54,部级正职
//	county/section_chief,18,正科级
//
// JSON (.json): an object with the dataset fields, "defaults" for the rows, and "rows"; a row's value is any JSON
// value for value_type "json" (a JSON number for "number").
//
//	{"kind": "fleet.price_cap", "title": "…", "description": "…", "value_type": "json", "unit": "",
//	 "defaults": {"source_doc": "中办发〔2017〕71号", "issuer": "中共中央办公厅、国务院办公厅", "valid_from": "2017-12-05", "confidence": "S"},
//	 "rows": [{"key": "other/sedan", "value": {"price_yuan": 180000, "displacement_l": 1.8}, "note": "…"}]}
//
// Header fields: kind (required; "<module>.<name>"), title (required, Chinese), description, value_type
// ("number", the default, or "json"). Row fields (header defaults or columns): key, value, unit, region_code ("" =
// national, else 6 digits), valid_from (required, YYYY-MM-DD), valid_to (last day, "" = open), source_doc
// (required), issuer, confidence (V, S or M; required), note.
func Parse(name string, data []byte) (Dataset, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var ds Dataset
	var err error
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		ds, err = parseCSV(data)
	case ".json":
		ds, err = parseJSON(data)
	default:
		return ds, fmt.Errorf("%s: unknown dataset format (use .csv or .json)", name)
	}
	if err == nil {
		err = normalize(&ds)
	}
	if err != nil {
		return ds, fmt.Errorf("%s: %w", name, err)
	}
	return ds, nil
}

// Load parses a dataset file from an embedded file system.
func Load(fsys fs.FS, name string) (Dataset, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Dataset{}, err
	}
	return Parse(name, b)
}

// MustLoad is Load for package initialisation and wiring: a broken embedded file is a programming error.
func MustLoad(fsys fs.FS, name string) Dataset {
	ds, err := Load(fsys, name)
	if err != nil {
		panic("refdata: " + err.Error())
	}
	return ds
}

func setRowField(r *Row, field, v string, raw *string) {
	switch field {
	case "key":
		r.Key = v
	case "value":
		*raw = v
	case "unit":
		r.Unit = v
	case "region_code":
		r.RegionCode = v
	case "valid_from":
		r.ValidFrom = v
	case "valid_to":
		r.ValidTo = v
	case "source_doc":
		r.SourceDoc = v
	case "issuer":
		r.Issuer = v
	case "confidence":
		r.Confidence = v
	case "note":
		r.Note = v
	}
}

func setMeta(ds *Dataset, field, v string) {
	switch field {
	case "kind":
		ds.Kind = v
	case "title":
		ds.Title = v
	case "description":
		ds.Description = v
	case "value_type":
		ds.ValueType = v
	}
}

func parseCSV(data []byte) (Dataset, error) {
	var ds Dataset
	var def Row
	var defValue string
	lines := bytes.SplitAfter(data, []byte("\n"))
	i := 0
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(string(lines[i]))
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, "#") {
			break
		}
		k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(l, "#")), ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !fieldRe.MatchString(k) {
			continue // a plain comment
		}
		switch {
		case metaFields[k]:
			setMeta(&ds, k, v)
		case k == "unit":
			ds.Unit = v
		case rowFields[k] && k != "key" && k != "value":
			setRowField(&def, k, v, &defValue)
		default:
			return ds, fmt.Errorf("line %d: unknown header field %q", i+1, k)
		}
	}
	r := csv.NewReader(bytes.NewReader(bytes.Join(lines[i:], nil)))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return ds, fmt.Errorf("no column header row: %w", err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for j, h := range header {
		h = strings.TrimSpace(h)
		if !rowFields[h] {
			return ds, fmt.Errorf("unknown column %q", h)
		}
		if seen[h] {
			return ds, fmt.Errorf("column %q twice", h)
		}
		seen[h], cols[j] = true, h
	}
	if !seen["key"] || !seen["value"] {
		return ds, fmt.Errorf("the columns key and value are required")
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ds, err
		}
		line, _ := r.FieldPos(0)
		row := def
		raw := defValue
		for j, v := range rec {
			if v = strings.TrimSpace(v); v != "" {
				setRowField(&row, cols[j], v, &raw)
			}
		}
		if err := setValue(&row, ds.ValueType, raw); err != nil {
			return ds, fmt.Errorf("line %d: %w", line+i, err)
		}
		ds.Rows = append(ds.Rows, row)
	}
	return ds, nil
}

type jsonRow struct {
	Key        string          `json:"key"`
	Value      json.RawMessage `json:"value"`
	Unit       string          `json:"unit"`
	RegionCode string          `json:"region_code"`
	ValidFrom  string          `json:"valid_from"`
	ValidTo    string          `json:"valid_to"`
	SourceDoc  string          `json:"source_doc"`
	Issuer     string          `json:"issuer"`
	Confidence string          `json:"confidence"`
	Note       string          `json:"note"`
}

type jsonFile struct {
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	ValueType   string    `json:"value_type"`
	Unit        string    `json:"unit"`
	Defaults    jsonRow   `json:"defaults"`
	Rows        []jsonRow `json:"rows"`
}

func parseJSON(data []byte) (Dataset, error) {
	var f jsonFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Dataset{}, err
	}
	ds := Dataset{Kind: f.Kind, Title: f.Title, Description: f.Description, ValueType: f.ValueType, Unit: f.Unit}
	d := f.Defaults
	pick := func(v, def string) string {
		if strings.TrimSpace(v) != "" {
			return v
		}
		return def
	}
	for i, jr := range f.Rows {
		r := Row{Key: jr.Key, Unit: pick(jr.Unit, d.Unit), RegionCode: pick(jr.RegionCode, d.RegionCode), ValidFrom: pick(jr.ValidFrom, d.ValidFrom),
			ValidTo: pick(jr.ValidTo, d.ValidTo), SourceDoc: pick(jr.SourceDoc, d.SourceDoc), Issuer: pick(jr.Issuer, d.Issuer),
			Confidence: pick(jr.Confidence, d.Confidence), Note: pick(jr.Note, d.Note)}
		raw := jr.Value
		if len(raw) == 0 {
			raw = d.Value
		}
		if err := setJSONValue(&r, ds.ValueType, raw); err != nil {
			return ds, fmt.Errorf("row %d (%s): %w", i+1, jr.Key, err)
		}
		ds.Rows = append(ds.Rows, r)
	}
	return ds, nil
}

// setValue reads a CSV cell: a number for number datasets, JSON text for json datasets.
func setValue(r *Row, valueType, raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return fmt.Errorf("%s: value is empty", r.Key)
	}
	if valueType == ValueJSON {
		return setJSONValue(r, valueType, json.RawMessage(raw))
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: value %q is not a number", r.Key, raw)
	}
	r.Value = v
	return nil
}

// setJSONValue reads a JSON value: compacted for json datasets, a JSON number for number datasets.
func setJSONValue(r *Row, valueType string, raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return fmt.Errorf("value is empty")
	}
	if valueType == ValueJSON {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return fmt.Errorf("value is not valid JSON: %w", err)
		}
		r.JSON = buf.Bytes()
		return nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("value %s is not a number", raw)
	}
	r.Value = v
	return nil
}

// normalize trims and checks a dataset and its rows, filling row defaults (kind, unit, origin).
func normalize(ds *Dataset) error {
	ds.Kind, ds.Title = strings.TrimSpace(ds.Kind), strings.TrimSpace(ds.Title)
	ds.Description, ds.Unit = strings.TrimSpace(ds.Description), strings.TrimSpace(ds.Unit)
	if ds.ValueType == "" {
		ds.ValueType = ValueNumber
	}
	switch {
	case !kindRe.MatchString(ds.Kind) || len(ds.Kind) > 80:
		return fmt.Errorf("kind %q must look like module.name (lower case)", ds.Kind)
	case ds.Title == "":
		return fmt.Errorf("title is required")
	case ds.ValueType != ValueNumber && ds.ValueType != ValueJSON:
		return fmt.Errorf("value_type %q must be number or json", ds.ValueType)
	}
	seen := map[string]bool{}
	rows := make([]Row, len(ds.Rows))
	for i, r := range ds.Rows {
		r.Kind, r.Origin = ds.Kind, OriginBuiltin
		r.Key, r.Unit, r.RegionCode = strings.TrimSpace(r.Key), strings.TrimSpace(r.Unit), strings.TrimSpace(r.RegionCode)
		r.ValidFrom, r.ValidTo = strings.TrimSpace(r.ValidFrom), strings.TrimSpace(r.ValidTo)
		r.SourceDoc, r.Issuer = strings.TrimSpace(r.SourceDoc), strings.TrimSpace(r.Issuer)
		r.Confidence, r.Note = strings.ToUpper(strings.TrimSpace(r.Confidence)), strings.TrimSpace(r.Note)
		if r.Unit == "" {
			r.Unit = ds.Unit
		}
		if msg := checkRow(r, ds.ValueType); msg != "" {
			return fmt.Errorf("row %d (%s): %s", i+1, r.Key, msg)
		}
		if r.ValidTo != "" && r.ValidTo < r.ValidFrom {
			return fmt.Errorf("row %d (%s): valid_to is before valid_from", i+1, r.Key)
		}
		if seen[naturalKey(r)] {
			return fmt.Errorf("row %d (%s): the same key, region and valid_from appear twice", i+1, r.Key)
		}
		seen[naturalKey(r)] = true
		rows[i] = r
	}
	ds.Rows = rows
	return nil
}

// checkRow returns what is wrong with a row's fields, or "".
func checkRow(r Row, valueType string) string {
	switch {
	case !ValidKey(r.Key):
		return "key must be 1–120 characters without spaces or control characters"
	case !ValidRegion(r.RegionCode):
		return "region_code must be empty (national) or 6 digits"
	case !ValidDate(r.ValidFrom):
		return "valid_from must be a date YYYY-MM-DD"
	case r.ValidTo != "" && !ValidDate(r.ValidTo):
		return "valid_to must be empty or a date YYYY-MM-DD"
	case r.SourceDoc == "":
		return "source_doc is required"
	case r.Confidence != Verified && r.Confidence != Secondary && r.Confidence != Unverified:
		return "confidence must be V, S or M"
	case valueType == ValueJSON && len(r.JSON) == 0:
		return "value is required"
	case valueType == ValueNumber && len(r.JSON) > 0:
		return "a number dataset takes numbers"
	case valueType == ValueNumber && (math.IsNaN(r.Value) || math.IsInf(r.Value, 0)):
		return "value must be a finite number"
	}
	return ""
}

// ValidKey reports whether s can be a row key: 1–120 characters, no spaces or control characters.
func ValidKey(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > MaxKeyLen {
		return false
	}
	for _, c := range s {
		if unicode.IsSpace(c) || unicode.IsControl(c) {
			return false
		}
	}
	return true
}

// ValidRegion reports whether code is "" (national) or a 6-digit division code.
func ValidRegion(code string) bool {
	if code == "" {
		return true
	}
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return code != "000000"
}

// ValidDate reports whether s is a calendar date YYYY-MM-DD.
func ValidDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// version hashes the content of a dataset that Seed stores.
func version(ds Dataset) string {
	type canon struct {
		K, U, R, F, T, S, I, C, N string
		V                         float64
		J                         string
	}
	c := struct {
		Kind, Title, Description, ValueType, Unit string
		Rows                                      []canon
	}{ds.Kind, ds.Title, ds.Description, ds.ValueType, ds.Unit, nil}
	for _, r := range ds.Rows {
		c.Rows = append(c.Rows, canon{r.Key, r.Unit, r.RegionCode, r.ValidFrom, r.ValidTo, r.SourceDoc, r.Issuer, r.Confidence, r.Note, r.Value, string(r.JSON)})
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
