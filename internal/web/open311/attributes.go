package open311

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
)

// checkAttributes checks the attributes of a POST against the fields of its service: every
// code a field of the service, every required field given, numbers as numbers, date-times as
// W3C date-times, list values among the field's keys, one value unless the field is a
// multivaluelist.
func checkAttributes(service string, fields []masswork.Field, attrs map[string][]string, zone *time.Location) []*Error {
	var errs []*Error
	byCode := make(map[string]*masswork.Field, len(fields))
	for i := range fields {
		byCode[fields[i].Code] = &fields[i]
	}
	codes := make([]string, 0, len(attrs))
	for code := range attrs {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		vals := attrs[code]
		f := byCode[code]
		if f == nil {
			errs = append(errs, newError(400, "open311.error.attribute_unknown", "Code", code, "Service", service))
			continue
		}
		if f.Datatype != "multivaluelist" && len(vals) > 1 {
			errs = append(errs, newError(400, "open311.error.attribute_single", "Code", code))
			continue
		}
		for _, v := range vals {
			if e := checkValue(f, v, zone); e != nil {
				errs = append(errs, e)
				break
			}
		}
	}
	for _, f := range fields {
		if f.Required && len(attrs[f.Code]) == 0 {
			errs = append(errs, newError(400, "open311.error.attribute_required", "Code", f.Code))
		}
	}
	return errs
}

// checkValue checks one value of a field against its datatype.
func checkValue(f *masswork.Field, v string, zone *time.Location) *Error {
	switch f.Datatype {
	case "number":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return newError(400, "open311.error.attribute_number", "Code", f.Code)
		}
	case "datetime":
		if _, err := ParseDate(v, zone); err != nil {
			return newError(400, "open311.error.attribute_datetime", "Code", f.Code)
		}
	case "singlevaluelist", "multivaluelist":
		if !slices.ContainsFunc(f.Values, func(x masswork.FieldValue) bool { return x.Key == v }) {
			return newError(400, "open311.error.attribute_value", "Code", f.Code, "Value", clip(v))
		}
	case "string":
		if len([]rune(v)) > 1000 {
			return newError(400, "open311.error.too_long", "Param", "attribute["+f.Code+"]", "Max", 1000)
		}
	}
	return nil
}
