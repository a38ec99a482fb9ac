// Derived from go-qrcode (github.com/skip2/go-qrcode/reedsolomon),
// Copyright 2014 Tom Harwood, MIT licence (see LICENSE).

package qrcode

import "sync"

// GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1, the QR code's field: gfExp[i]
// is α^i for i in [0, 510), so a product's logarithms need no modulo;
// gfLog[a] is the logarithm of a non-zero a.
var gfExp, gfLog = func() (exp [510]byte, log [256]int) {
	x := 1
	for i := range 255 {
		exp[i], exp[i+255] = byte(x), byte(x)
		log[x] = i
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11d
		}
	}
	return exp, log
}()

// rsGenerators holds the generator polynomial of each number of error
// correction codewords a block has (at most 30), built once:
// Π (x − α^i), i < degree, as the logarithms of its coefficients from
// x^(degree−1) down to x^0 (the leading 1 left out). A QR code's
// generators have no zero coefficient.
var rsGenerators [31]struct {
	once sync.Once
	logs []int
}

func rsGenerator(degree int) []int {
	g := &rsGenerators[degree]
	g.once.Do(func() {
		p := []byte{1} // coefficients, highest degree first
		for i := range degree {
			next := make([]byte, len(p)+1)
			for j, c := range p { // p·(x + α^i)
				next[j] ^= c
				if c != 0 {
					next[j+1] ^= gfExp[gfLog[c]+i]
				}
			}
			p = next
		}
		g.logs = make([]int, degree)
		for j, c := range p[1:] {
			if c == 0 {
				panic("qrcode: a generator coefficient is zero")
			}
			g.logs[j] = gfLog[c]
		}
	})
	return g.logs
}

// rsEncode writes into ec (its length the number of error correction
// codewords) the remainder of data·x^len(ec) divided by the generator,
// highest degree first: the codewords go-qrcode's reedsolomon.Encode
// appends, by a shift register instead of polynomials rebuilt in memory
// for every step (a third of the card's drawing time).
func rsEncode(data, ec []byte) {
	gen := rsGenerator(len(ec))
	clear(ec)
	for _, b := range data {
		f := b ^ ec[0]
		copy(ec, ec[1:])
		ec[len(ec)-1] = 0
		if f == 0 {
			continue
		}
		lf := gfLog[f]
		for j, lg := range gen {
			ec[j] ^= gfExp[lf+lg]
		}
	}
}
