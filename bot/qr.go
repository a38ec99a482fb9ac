package bot

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"

	"github.com/loyaltybot/loyaltybot/bot/internal/qrcode"
)

// QRSize is the side of the card QR image in pixels: large enough for a
// phone camera across a counter, small enough to send fast.
const QRSize = 512

// QR renders text as a PNG QR code, QRSize pixels a side, black on white:
// the same picture go-qrcode draws, written as a 1-bit greyscale PNG.
// go-qrcode's own PNG (a 512×512 paletted image, read back pixel by pixel
// by image/png, at the best compression) cost a third of the bot's CPU in
// the chat load run, all of it on /card; see qrPNG for how it is written
// instead. The code itself comes from internal/qrcode, go-qrcode forked
// for speed, module for module the same (TestQRIsTheLibrarysPicture holds
// the whole picture to the upstream module's).
func QR(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return qrPNG(q.Bitmap(), QRSize), nil
}

// qrPNG draws bitmap (true: a dark module) on a size×size canvas, each
// pixel taking the module it falls on as go-qrcode's Image does, and
// writes it as a 1-bit greyscale PNG.
//
// A QR picture is a few dozen distinct pixel rows, each repeated a dozen
// times, and the PNG is written knowing that: each distinct row once, as
// literals, and its repeats as copies of it (deflate's back-references,
// 258 bytes at a time), in one block of deflate's fixed Huffman codes.
// compress/flate at its fastest level spent 55 µs a picture hashing the
// repeats and building Huffman tables for them, more than the rest of the
// PNG; this writes about 3 KB instead of 1.4 KB, one upload either way.
func qrPNG(bitmap [][]bool, size int) []byte {
	n := len(bitmap)
	size = max(size, n)
	stride := (size + 7) / 8
	rowLen := stride + 1 // filter type 0, then 8 pixels a byte, 1 = white

	// The first pixel of each module column, as go-qrcode maps them.
	perPixel := float64(n) / float64(size)
	starts := make([]int, n+1)
	for x, j := 0, 0; x < size; x++ {
		for m := int(float64(x) * perPixel); j <= m; j++ {
			starts[j] = x
		}
	}
	starts[n] = size

	rows := make([]byte, 2*rowLen) // the row being built, the last one written
	row, last := rows[:rowLen], rows[rowLen:]
	var z deflater
	z.out = make([]byte, 0, 4096)
	z.out = append(z.out, "\x89PNG\r\n\x1a\n"...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(size))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(size))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, no filter method, no interlace
	z.out = appendChunk(z.out, "IHDR", ihdr[:])
	idat := len(z.out)
	z.out = append(z.out, 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x78, 0x01) // length later; zlib header: deflate, 32 KB window, fastest
	z.adlerA, z.adlerB = 1, 0
	z.bits(1|1<<1, 3) // BFINAL, BTYPE 01: fixed Huffman codes

	repeat, lastY2 := 0, -1
	for y := range size {
		y2 := int(float64(y) * perPixel)
		if y2 == lastY2 {
			repeat++
			continue
		}
		lastY2 = y2
		clear(row)
		for j := 0; j < n; {
			if bitmap[y2][j] {
				j++
				continue
			}
			light := j // a run of light modules, set at once
			for j < n && !bitmap[y2][j] {
				j++
			}
			setBits(row[1:], starts[light], starts[j])
		}
		if y > 0 && string(row) == string(last) {
			repeat++
			continue
		}
		z.copies(repeat, rowLen, last)
		repeat = 0
		z.literals(row)
		row, last = last, row
	}
	z.copies(repeat, rowLen, last)
	z.code(256) // end of block
	z.flush()
	z.out = binary.BigEndian.AppendUint32(z.out, uint32(z.adlerB<<16|z.adlerA))
	binary.BigEndian.PutUint32(z.out[idat:], uint32(len(z.out)-idat-8))
	z.out = binary.BigEndian.AppendUint32(z.out, crc32.ChecksumIEEE(z.out[idat+4:]))
	return appendChunk(z.out, "IEND", nil)
}

// setBits sets the bits of pixels [from, to) in a row, most significant
// bit first.
func setBits(row []byte, from, to int) {
	if from >= to {
		return
	}
	first, last := from>>3, (to-1)>>3
	head, tail := byte(0xff>>(from&7)), byte(0xff<<(7-(to-1)&7))
	if first == last {
		row[first] |= head & tail
		return
	}
	row[first] |= head
	for i := first + 1; i < last; i++ {
		row[i] = 0xff
	}
	row[last] |= tail
}

// appendChunk appends one PNG chunk: length, type, data, CRC of type and
// data.
func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// adlerMod is Adler-32's modulus.
const adlerMod = 65521

// deflater writes one block of deflate with the fixed Huffman codes
// (RFC 1951, 3.2.6) and keeps the Adler-32 of what it encodes (RFC 1950).
type deflater struct {
	out            []byte
	acc            uint64 // bits not yet written, the first in the lowest bit
	nacc           uint
	adlerA, adlerB uint64
}

// bits writes the n (at most 16) low bits of v, lowest first (deflate's
// order for everything but Huffman codes), six bytes at a time.
func (z *deflater) bits(v uint64, n uint) {
	z.acc |= v << z.nacc
	z.nacc += n
	if z.nacc >= 48 {
		z.out = append(z.out, byte(z.acc), byte(z.acc>>8), byte(z.acc>>16), byte(z.acc>>24), byte(z.acc>>32), byte(z.acc>>40))
		z.acc >>= 48
		z.nacc -= 48
	}
}

// flush writes the bits left, the last byte padded with zeros.
func (z *deflater) flush() {
	for z.nacc > 0 {
		z.out = append(z.out, byte(z.acc))
		z.acc >>= 8
		z.nacc -= min(z.nacc, 8)
	}
	z.acc = 0
}

// fixedCodes holds the fixed Huffman code of each literal/length symbol,
// bits reversed to be written lowest first, and its length.
var fixedCodes = func() (t [288]struct {
	code uint16
	n    uint8
}) {
	for sym := range t {
		var c, n int
		switch {
		case sym < 144:
			c, n = 0x30+sym, 8
		case sym < 256:
			c, n = 0x190+sym-144, 9
		case sym < 280:
			c, n = sym-256, 7
		default:
			c, n = 0xc0+sym-280, 8
		}
		t[sym].code, t[sym].n = bits.Reverse16(uint16(c))>>(16-n), uint8(n)
	}
	return t
}()

// code writes the fixed Huffman code of a literal/length symbol.
func (z *deflater) code(sym int) {
	c := fixedCodes[sym]
	z.bits(uint64(c.code), uint(c.n))
}

// literals writes b byte for byte.
func (z *deflater) literals(b []byte) {
	for _, c := range b {
		z.code(int(c))
	}
	z.adler(b, 1)
}

// copies writes k copies of the row just written (len(row) bytes back),
// as back-references of at most 258 bytes each.
func (z *deflater) copies(k, dist int, row []byte) {
	if k == 0 {
		return
	}
	for left := k * dist; left > 0; {
		l := min(left, 258)
		if left-l > 0 && left-l < 3 { // every copy is at least 3 bytes long
			l -= 3
		}
		z.match(l, dist)
		left -= l
	}
	z.adler(row, k)
}

// Lengths 3–258 and distances 1–32768: the first of each code and its
// extra bits (RFC 1951, 3.2.5).
var (
	lengthBase  = [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [...]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [...]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [...]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// match writes a back-reference: length bytes from dist bytes back.
func (z *deflater) match(length, dist int) {
	i := len(lengthBase) - 1
	for lengthBase[i] > length {
		i--
	}
	z.code(257 + i)
	z.bits(uint64(length-lengthBase[i]), lengthExtra[i])
	d := len(distBase) - 1
	for distBase[d] > dist {
		d--
	}
	z.bits(uint64(bits.Reverse8(uint8(d))>>3), 5) // distance codes: 5 bits, most significant first
	z.bits(uint64(dist-distBase[d]), distExtra[d])
}

// adler adds k repeats of b to the Adler-32 sum: for each repeat,
// A += sum(b) and B += len(b)·A + Σ (len(b)−i)·b[i], modulo 65521.
func (z *deflater) adler(b []byte, k int) {
	var sum, weighted uint64
	l := uint64(len(b))
	for i, c := range b {
		sum += uint64(c)
		weighted += (l - uint64(i)) * uint64(c)
	}
	sum, weighted, l = sum%adlerMod, weighted%adlerMod, l%adlerMod
	for range k {
		z.adlerB = (z.adlerB + l*z.adlerA + weighted) % adlerMod
		z.adlerA = (z.adlerA + sum) % adlerMod
	}
}
