package open311

import (
	"encoding/xml"
	"strconv"
)

// The documents of GeoReport v2, each one struct for both formats: XML by the xml tags (no
// namespace), JSON by the json tags, lists as bare arrays. Codes and IDs are strings in both.

// discovery is the service discovery document.
type discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

type endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// serviceList is GET services: services → service[].
type serviceList struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

type service struct {
	ServiceCode string `xml:"service_code" json:"service_code"`
	ServiceName string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

// definition is GET services/{code}: service_definition with its attributes.
type definition struct {
	XMLName     xml.Name    `xml:"service_definition" json:"-"`
	ServiceCode string      `xml:"service_code" json:"service_code"`
	Attributes  []attribute `xml:"attributes>attribute" json:"attributes"`
}

type attribute struct {
	Variable            bool   `xml:"variable" json:"variable"`
	Code                string `xml:"code" json:"code"`
	Datatype            string `xml:"datatype" json:"datatype"`
	Required            bool   `xml:"required" json:"required"`
	DatatypeDescription string `xml:"datatype_description" json:"datatype_description"`
	Order               int    `xml:"order" json:"order"`
	Description         string `xml:"description" json:"description"`
	// The choices of a list field, in both formats; none for other fields. (encoding/xml
	// would write an empty <values/> for an empty values>value path.)
	Values    []value    `xml:"-" json:"values,omitempty"`
	ValuesXML *valueList `xml:"values,omitempty" json:"-"`
}

type valueList struct {
	Values []value `xml:"value"`
}

type value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// requestList is GET requests, GET requests/{id} and the answer to POST requests:
// service_requests → request[].
type requestList struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []request `xml:"request"`
}

// request is a service request as GET requests shows it. Every text field is present, empty
// when there is nothing to say; the expected time, the point and the media URL only when
// known.
type request struct {
	ServiceRequestID  string `xml:"service_request_id" json:"service_request_id"`
	Status            string `xml:"status" json:"status"`
	StatusNotes       string `xml:"status_notes" json:"status_notes"`
	ServiceName       string `xml:"service_name" json:"service_name"`
	ServiceCode       string `xml:"service_code" json:"service_code"`
	Description       string `xml:"description" json:"description"`
	AgencyResponsible string `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     string `xml:"service_notice" json:"service_notice"`
	RequestedDatetime string `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   string `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  string `xml:"expected_datetime,omitempty" json:"expected_datetime,omitempty"`
	Address           string `xml:"address" json:"address"`
	AddressID         string `xml:"address_id" json:"address_id"`
	Zipcode           string `xml:"zipcode" json:"zipcode"`
	Lat               *coord `xml:"lat,omitempty" json:"lat,omitempty"`
	Long              *coord `xml:"long,omitempty" json:"long,omitempty"`
	MediaURL          string `xml:"media_url,omitempty" json:"media_url,omitempty"`
}

// created is the answer to POST requests: the new request's ID (we are realtime, so never a
// token) and what will happen next.
type created struct {
	XMLName          xml.Name `xml:"request" json:"-"`
	ServiceRequestID string   `xml:"service_request_id" json:"service_request_id"`
	ServiceNotice    string   `xml:"service_notice" json:"service_notice"`
}

type createdList struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []created `xml:"request"`
}

// errorList is the error document: errors → error[] of code and description.
type errorList struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []wireError `xml:"error"`
}

type wireError struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

// coord is a WGS84 degree, written in plain decimal in both formats (never with an exponent).
type coord float64

func (c coord) text() []byte { return strconv.AppendFloat(nil, float64(c), 'f', -1, 64) }

// MarshalText writes the degree for XML.
func (c coord) MarshalText() ([]byte, error) { return c.text(), nil }

// MarshalJSON writes the degree as a JSON number.
func (c coord) MarshalJSON() ([]byte, error) { return c.text(), nil }
