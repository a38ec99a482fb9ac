package bot

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// QRSize is the side of the card QR image in pixels: large enough for a
// phone camera across a counter, small enough to send fast.
const QRSize = 512

// QR renders text as a PNG QR code, QRSize pixels a side, black on white:
// the same picture go-qrcode draws, written as a 1-bit greyscale PNG.
// go-qrcode's own PNG (a 512×512 paletted image, read back pixel by pixel
// by image/png, at the best compression) cost a third of the bot's CPU in
// the chat load run, all of it on /card; this builds each pixel row once
// per row of modules and compresses 32 KB at the fastest level.
func QR(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return qrPNG(q.Bitmap(), QRSize), nil
}

var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// qrBuffers holds the uncompressed pixels and the compressed stream of one
// picture between uses: they were a tenth of all the bytes the chat load
// allocated, and the garbage collector's work grows with them.
var qrBuffers = sync.Pool{New: func() any { return new(qrBuffer) }}

type qrBuffer struct {
	raw  []byte
	idat bytes.Buffer
}

// qrPNG draws bitmap (true: a dark module) on a size×size canvas, each
// pixel taking the module it falls on as go-qrcode's Image does.
func qrPNG(bitmap [][]bool, size int) []byte {
	n := len(bitmap)
	size = max(size, n)
	stride := (size + 7) / 8
	buf := qrBuffers.Get().(*qrBuffer)
	defer qrBuffers.Put(buf)
	raw := buf.raw[:0]
	row := make([]byte, stride+1) // filter type 0, then 8 pixels a byte, 1 = white
	perPixel := float64(n) / float64(size)
	last := -1
	for y := range size {
		if y2 := int(float64(y) * perPixel); y2 != last {
			last = y2
			clear(row)
			for x := range size {
				if !bitmap[y2][int(float64(x)*perPixel)] {
					row[1+x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		raw = append(raw, row...)
	}
	buf.raw = raw
	idat := &buf.idat
	idat.Reset()
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(idat)
	zw.Write(raw) //nolint:errcheck // a bytes.Buffer does not fail
	zw.Close()
	zlibWriters.Put(zw)

	out := bytes.NewBuffer(make([]byte, 0, idat.Len()+64))
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(size))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(size))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, no filter method, no interlace
	chunk(out, "IHDR", ihdr[:])
	chunk(out, "IDAT", idat.Bytes())
	chunk(out, "IEND", nil)
	return out.Bytes()
}

// chunk writes one PNG chunk: length, type, data, CRC of type and data.
func chunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
