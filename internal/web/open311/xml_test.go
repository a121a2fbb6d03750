package open311

import (
	"bytes"
	"encoding/xml"
	"fmt"
)

// xmlUnmarshal decodes an XML document whose root must be named root, without a namespace.
func xmlUnmarshal(b []byte, root string, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var start xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		if s, ok := tok.(xml.StartElement); ok {
			start = s
			break
		}
	}
	if start.Name.Local != root || start.Name.Space != "" {
		return fmt.Errorf("root %v, want %s", start.Name, root)
	}
	return d.DecodeElement(v, &start)
}
