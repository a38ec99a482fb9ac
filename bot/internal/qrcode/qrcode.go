// Derived from go-qrcode (github.com/skip2/go-qrcode), Copyright 2014 Tom
// Harwood, MIT licence (see LICENSE).

// Package qrcode is go-qrcode, the QR encoder the bot draws its card with,
// cut down to New and Bitmap and made more than ten times faster, with the
// same pictures. The card QR is the bot's most frequent answer and
// go-qrcode's encoding took most of its CPU: for every code it rebuilt the
// Reed–Solomon generator polynomial and divided by it allocating a
// polynomial a step, then for each of the eight masks drew the function
// patterns again, walked the data modules again and scored the penalties
// module by module through per-row slices.
//
// What changed: Reed–Solomon by a shift register over a generator built
// once (reedsolomon.go); the function patterns, the data modules' order
// and the masks' pattern over them computed once per version (layout in
// regular_symbol.go); for symbols narrower than 64 modules (versions
// 1–11) all of it held as words, a row or a column each, so that a mask's
// symbol is an OR and an XOR a word and the penalties are counted a line
// at a time (words.go); for the larger ones a symbol in one slice, scored
// a row and a column at a time (symbol.go). What did not: the data
// encoder (encoder.go), the version tables (version.go) and the bitset
// (bitset/) are go-qrcode's as published; the function patterns, the
// placement order, the masks and the penalty rules, quirks included, are
// go-qrcode's, so the mask chosen and the bitmap are too.
// TestBitmapIsGoQRCodes and FuzzBitmapIsGoQRCodes hold this against the
// upstream module; TestWordPenaltyIsThePenalty holds the words' penalties
// to the module-by-module ones.
package qrcode

import (
	"errors"

	bitset "github.com/loyaltybot/loyaltybot/bot/internal/qrcode/bitset"
)

// QRCode is a QR code about to be drawn.
type QRCode struct {
	// Original content encoded.
	Content string

	// QR Code type.
	Level         RecoveryLevel
	VersionNumber int

	version qrCodeVersion
	data    *bitset.Bitset
}

// New constructs a QRCode of content at level, in the smallest version it
// fits: go-qrcode's New.
func New(content string, level RecoveryLevel) (*QRCode, error) {
	encoders := []dataEncoderType{dataEncoderType1To9, dataEncoderType10To26,
		dataEncoderType27To40}

	var encoder *dataEncoder
	var encoded *bitset.Bitset
	var chosenVersion *qrCodeVersion
	var err error

	for _, t := range encoders {
		encoder = newDataEncoder(t)
		encoded, err = encoder.encode([]byte(content))

		if err != nil {
			continue
		}

		chosenVersion = chooseQRCodeVersion(level, encoder, encoded.Len())

		if chosenVersion != nil {
			break
		}
	}

	if err != nil {
		return nil, err
	} else if chosenVersion == nil {
		return nil, errors.New("content too long to encode")
	}

	return &QRCode{
		Content:       content,
		Level:         level,
		VersionNumber: chosenVersion.version,
		version:       *chosenVersion,
		data:          encoded,
	}, nil
}

// Bitmap returns the QR code as a 2D array of modules, true for dark, the
// quiet zone included: go-qrcode's Bitmap, the same modules.
func (q *QRCode) Bitmap() [][]bool {
	s := q.encode()
	qz := q.version.quietZoneSize()
	side := s.size + 2*qz
	all := make([]bool, side*side)
	rows := make([][]bool, side)
	for y := range rows {
		rows[y] = all[y*side : y*side+side : y*side+side]
		if y >= qz && y < qz+s.size {
			copy(rows[y][qz:], s.module[(y-qz)*s.size:(y-qz+1)*s.size])
		}
	}
	return rows
}

// encode draws the symbol for each of the eight masks and keeps the first
// with the lowest penalty, as go-qrcode does.
func (q *QRCode) encode() *symbol {
	data := bitset.Clone(q.data) // Bitmap may be called again
	data.AppendNumBools(q.version.numTerminatorBitsRequired(data.Len()), false)
	addPadding(data, q.version)
	bits := q.encodeBlocks(data)

	l := layoutOf(q.version)
	if len(bits) != len(l.order) {
		panic("qrcode: bug: the data does not fill the symbol")
	}
	if l.words != nil {
		return &symbol{module: l.words.best(l, q.version.level, bits), size: l.size}
	}
	room := make([]bool, 3*len(l.template))
	best, cur := &symbol{module: room[:len(l.template)], size: l.size}, &symbol{module: room[len(l.template) : 2*len(l.template)], size: l.size}
	cols := room[2*len(l.template):]
	penalty := 0
	for mask := range 8 {
		l.draw(cur, q.version, mask, bits)
		if p := cur.penaltyScore(cols); mask == 0 || p < penalty {
			best, cur = cur, best
			penalty = p
		}
	}
	return best
}

// encodeBlocks splits data into the version's blocks, appends each
// block's error correction codewords, interleaves the data codewords then
// the error correction ones, block by block, and appends the remainder
// bits: the bits to place, one bool each.
func (q *QRCode) encodeBlocks(data *bitset.Bitset) []bool {
	type dataBlock struct{ data, ec []byte }
	blocks := make([]dataBlock, 0, q.version.numBlocks())
	start := 0
	for _, b := range q.version.block {
		for range b.numBlocks {
			d := make([]byte, b.numDataCodewords, b.numCodewords)
			for i := range d {
				d[i] = data.ByteAt(8 * (start + i))
			}
			start += b.numDataCodewords
			ec := d[len(d):b.numCodewords]
			rsEncode(d, ec)
			blocks = append(blocks, dataBlock{d, ec})
		}
	}

	total := 0
	for _, b := range q.version.block {
		total += 8 * b.numBlocks * b.numCodewords
	}
	bits := make([]bool, 0, total+q.version.numRemainderBits)
	appendByte := func(c byte) {
		for i := 7; i >= 0; i-- {
			bits = append(bits, c>>i&1 == 1)
		}
	}
	for _, part := range []func(dataBlock) []byte{
		func(b dataBlock) []byte { return b.data },
		func(b dataBlock) []byte { return b.ec },
	} {
		for i, working := 0, true; working; i++ {
			working = false
			for _, b := range blocks {
				if p := part(b); i < len(p) {
					appendByte(p[i])
					working = true
				}
			}
		}
	}
	return append(bits, make([]bool, q.version.numRemainderBits)...)
}

// addPadding pads data with zeros to a whole codeword, then with the
// alternating pad codewords to the version's capacity: go-qrcode's.
func addPadding(data *bitset.Bitset, version qrCodeVersion) {
	numDataBits := version.numDataBits()

	if data.Len() == numDataBits {
		return
	}

	data.AppendNumBools(version.numBitsToPadToCodeword(data.Len()), false)

	padding := [2]*bitset.Bitset{
		bitset.New(true, true, true, false, true, true, false, false),
		bitset.New(false, false, false, true, false, false, false, true),
	}

	i := 0
	for numDataBits-data.Len() >= 8 {
		data.Append(padding[i])

		i = 1 - i // Alternate between 0 and 1.
	}

	if data.Len() != numDataBits {
		panic("qrcode: bug: padding missed the capacity")
	}
}
