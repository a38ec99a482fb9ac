package tgfake

import (
	"bytes"
	"path/filepath"
	"strings"
)

// formPart is one part of a multipart/form-data body.
type formPart struct {
	name, filename, contentType string
	data                        []byte
}

// readForm reads a multipart/form-data body as mime/multipart.Writer
// writes it (go-telegram/bot's client and net/http's): parts separated by
// the boundary, each with a Content-Disposition of form-data and a quoted
// name (and filename), and maybe a Content-Type. ok is false for
// anything else, which the caller then reads with mime/multipart: this
// only saves what mime/multipart allocates for every call (a 4 KB buffer,
// a header map and a parameter map per part; 14 % of everything the
// chat load run allocated, in the same process as the bot it measures).
// The parts' data are slices of body.
func readForm(body []byte, boundary string) (parts []formPart, ok bool) {
	if boundary == "" {
		return nil, false
	}
	delim := "--" + boundary
	// The writer starts an empty form's close delimiter with a line end,
	// which mime/multipart skips as a preamble line.
	body = bytes.TrimPrefix(body, []byte("\r\n"))
	if !bytes.HasPrefix(body, []byte(delim)) {
		return nil, false
	}
	next := []byte("\r\n" + delim)
	rest := body[len(delim):]
	for {
		if bytes.HasPrefix(rest, []byte("--")) {
			// The close delimiter, its line ended or the body's end.
			if len(rest) == 2 || bytes.HasPrefix(rest, []byte("--\r\n")) {
				return parts, true
			}
			return nil, false
		}
		if !bytes.HasPrefix(rest, []byte("\r\n")) {
			return nil, false
		}
		rest = rest[2:]
		var head []byte
		if bytes.HasPrefix(rest, []byte("\r\n")) {
			rest = rest[2:]
		} else {
			i := bytes.Index(rest, []byte("\r\n\r\n"))
			if i < 0 {
				return nil, false
			}
			head, rest = rest[:i], rest[i+4:]
		}
		if bytes.HasPrefix(rest, []byte(delim)) {
			// mime/multipart may take a part that starts with the
			// boundary for an empty one.
			return nil, false
		}
		end, ok := partEnd(rest, next)
		if !ok {
			return nil, false
		}
		p, ok := readPartHead(head)
		if !ok {
			return nil, false
		}
		p.data, rest = rest[:end:end], rest[end+len(next):]
		parts = append(parts, p)
	}
}

// partEnd finds where a part's data ends: at a line end and the boundary
// followed by a line end or "--". The boundary followed by anything else
// but white space is data, as for mime/multipart; followed by white
// space, or at the body's end, it is left to mime/multipart.
func partEnd(rest, next []byte) (int, bool) {
	from := 0
	for {
		i := bytes.Index(rest[from:], next)
		if i < 0 {
			return 0, false
		}
		end := from + i
		after := rest[end+len(next):]
		switch {
		case bytes.HasPrefix(after, []byte("\r\n")), bytes.HasPrefix(after, []byte("--")):
			return end, true
		case len(after) == 0 || after[0] == ' ' || after[0] == '\t' || after[0] == '\r' || after[0] == '\n' || after[0] == '-':
			return 0, false
		}
		from = end + 1
	}
}

// readPartHead reads a part's header lines: a Content-Disposition and
// maybe a Content-Type, nothing else.
func readPartHead(head []byte) (p formPart, ok bool) {
	disposition, contentType := false, false
	for len(head) > 0 {
		line := head
		if i := bytes.Index(head, []byte("\r\n")); i >= 0 {
			line, head = head[:i], head[i+2:]
		} else {
			head = nil
		}
		key, value, found := bytes.Cut(line, []byte(":"))
		if !found || bytes.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return p, false // textproto refuses control characters
		}
		v := strings.Trim(string(value), " \t")
		switch {
		case asciiEqualFold(key, "Content-Disposition") && !disposition:
			if p.name, p.filename, ok = readDisposition(v); !ok {
				return p, false
			}
			disposition = true
		case asciiEqualFold(key, "Content-Type") && !contentType:
			p.contentType, contentType = v, true
		default:
			return p, false
		}
	}
	return p, disposition && p.name != ""
}

// readDisposition reads `form-data; name="…"` with an optional
// `; filename="…"`, each value quoted as mime/multipart quotes it
// (backslash before a quote or a backslash).
func readDisposition(v string) (name, filename string, ok bool) {
	rest, found := strings.CutPrefix(v, "form-data")
	if !found {
		return "", "", false
	}
	var seenName, seenFile bool
	for rest != "" {
		rest, found = strings.CutPrefix(rest, "; ")
		if !found {
			return "", "", false
		}
		key, after, found := strings.Cut(rest, `="`)
		switch {
		case !found:
			return "", "", false
		case key == "name" && !seenName:
			seenName = true
		case key == "filename" && !seenFile:
			seenFile = true
		default:
			return "", "", false
		}
		var value strings.Builder
		i := 0
		for ; i < len(after) && after[i] != '"'; i++ {
			c := after[i]
			if c == '\\' {
				// mime/multipart.Writer escapes these two only; mime
				// reads a backslash before anything else as itself.
				if i+1 == len(after) || (after[i+1] != '"' && after[i+1] != '\\') {
					return "", "", false
				}
				i++
				c = after[i]
			}
			value.WriteByte(c)
		}
		if i == len(after) {
			return "", "", false
		}
		rest = after[i+1:]
		if key == "name" {
			name = value.String()
		} else {
			filename = value.String()
		}
	}
	if filename != "" {
		// As multipart.Part.FileName: no directory (RFC 7578, 4.2).
		filename = filepath.Base(filename)
	}
	return name, filename, true
}

// asciiEqualFold reports whether header name key is name, ignoring ASCII
// case only (textproto refuses other bytes in a header's name).
func asciiEqualFold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
