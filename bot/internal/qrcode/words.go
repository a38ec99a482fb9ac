// Derived from go-qrcode (github.com/skip2/go-qrcode), Copyright 2014 Tom
// Harwood, MIT licence (see LICENSE).

package qrcode

import "math/bits"

// words is a layout for symbols narrower than 64 modules (versions 1–11,
// the bot's among them) held as words: bit x of rows[y] and bit y of
// cols[x] for the module at (x, y). A mask's symbol is then the template,
// the format information and the data turned over by the mask, one OR
// and one XOR a word, and the penalties are scored a line at a time.
type words struct {
	n int

	// template holds the function patterns, the format information's
	// modules light.
	template lines

	// mask[m] holds what mask m turns over among the data modules.
	mask [8]lines

	// format[level][m] holds the dark modules of the format information
	// for level and mask m.
	format [4][8]lines
}

// lines is a symbol as words: its rows, then its columns.
type lines struct{ rows, cols []uint64 }

func newLines(n int) lines {
	w := make([]uint64, 2*n)
	return lines{rows: w[:n:n], cols: w[n:]}
}

func (ls lines) set(x, y int) {
	ls.rows[y] |= 1 << x
	ls.cols[x] |= 1 << y
}

func linesOf(module []bool, n int) lines {
	ls := newLines(n)
	for i, v := range module {
		if v {
			ls.set(i%n, i/n)
		}
	}
	return ls
}

// newWords builds the words of a layout whose template is already drawn.
func newWords(version qrCodeVersion, l *layout) *words {
	n := l.size
	w := &words{n: n}

	var formatArea []bool // the same modules for every level and mask
	for level := range w.format {
		for mask := range w.format[level] {
			s := newSymbol(n)
			v := version
			v.level = RecoveryLevel(level)
			m := &regularSymbol{version: v, mask: mask, symbol: s, size: n}
			m.addFormatInfo()
			w.format[level][mask] = linesOf(s.module, n)
			formatArea = s.isUsed
		}
	}
	template := append([]bool(nil), l.template...)
	for i, used := range formatArea {
		if used {
			template[i] = false
		}
	}
	w.template = linesOf(template, n)

	for mask := range w.mask {
		w.mask[mask] = newLines(n)
		for i, pos := range l.order {
			if l.flip[mask][i] {
				w.mask[mask].set(int(pos)%n, int(pos)/n)
			}
		}
	}
	return w
}

// best draws the symbol for each of the eight masks and returns the
// modules of the first with the lowest penalty, as go-qrcode does.
func (w *words) best(l *layout, level RecoveryLevel, data []bool) []bool {
	n := w.n
	placed := newLines(n)
	for i, pos := range l.order {
		if data[i] {
			placed.set(int(pos)%n, int(pos)/n)
		}
	}

	cur, best := newLines(n), newLines(n)
	penalty := 0
	for mask := range 8 {
		f, m := w.format[level][mask], w.mask[mask]
		for i := range n {
			cur.rows[i] = w.template.rows[i] | f.rows[i] | placed.rows[i] ^ m.rows[i]
			cur.cols[i] = w.template.cols[i] | f.cols[i] | placed.cols[i] ^ m.cols[i]
		}
		if p := cur.penalty(n); mask == 0 || p < penalty {
			best, cur = cur, best
			penalty = p
		}
	}

	module := make([]bool, n*n)
	for y, r := range best.rows {
		for x := range n {
			module[y*n+x] = r>>x&1 == 1
		}
	}
	return module
}

// penalty is symbol.penaltyScore for a symbol held as words: the same
// score.
func (ls lines) penalty(n int) int {
	penalty := 0
	dark := 0
	for i := range n {
		penalty += linePenaltyWord(ls.rows[i], n) + linePenaltyWord(ls.cols[i], n)
		dark += bits.OnesCount64(ls.rows[i])
	}

	// penalty2: (x, y) ends a 2×2 block of one colour when it matches
	// the module to its left and both above.
	full := uint64(1)<<n - 1
	blocks := 0
	for y := 1; y < n; y++ {
		a, b := ls.rows[y-1], ls.rows[y]
		vertical := ^(a ^ b)
		blocks += bits.OnesCount64(vertical & (vertical << 1) & ^(a ^ (a << 1)) & full &^ 1)
	}
	penalty += blocks * penaltyWeight2

	// penalty4, as there.
	numModules := n * n
	deviation := numModules/2 - dark
	if deviation < 0 {
		deviation *= -1
	}
	return penalty + penaltyWeight4*(deviation/(numModules/20))
}

// linePenaltyWord is linePenalty for a line of n (< 64) modules held in
// the low bits of w, the first module in bit 0.
func linePenaltyWord(w uint64, n int) int {
	full := uint64(1)<<n - 1

	// penalty1: same[i] says module i has the colour of module i−1; the
	// run at i is 6 long or longer when the four before say so too, 7 or
	// longer with five.
	same := ^(w ^ (w << 1)) & full &^ 1
	six := same & (same << 1) & (same << 2) & (same << 3) & (same << 4)
	seven := six & (same << 5)
	penalty := (penaltyWeight1+1)*bits.OnesCount64(six&^seven) + bits.OnesCount64(seven)

	// penalty3: go-qrcode's shift register only departs from the plain
	// 11-module window after a match (it resets to 0xFF), so a line whose
	// windows never match scores nothing, and only the others are walked.
	if finderLike(w, n) {
		var bitBuffer int16
		for i := range n {
			var p int
			bitBuffer, p = register3(bitBuffer, w>>i&1 == 1, i == n-1)
			penalty += p
		}
	}
	return penalty
}

// finderLike says whether the plain window of penalty3's register (the
// newest module lowest, light modules before the line) reads 0x05d or
// 0x5d0 anywhere in the line, or its last seven modules read 0x5d: the
// dark-light-dark×3-light-dark core with four light modules before it or
// after it.
func finderLike(w uint64, n int) bool {
	full := uint64(1)<<n - 1
	// core[i]: modules i−6 … i read 1011101 (the same both ways).
	core := w & ^(w << 1) & (w << 2) & (w << 3) & (w << 4) & ^(w << 5) & (w << 6)
	// light[i]: modules i−3 … i light (those before the line count so,
	// hence the ones shifted in).
	light := ^w & ^(w << 1) & ^(w << 2) & ^(w << 3)
	return (core&(light<<7|(1<<7-1))|light&(core<<4))&full != 0 || (w>>(n-7))&0x7f == 0x5d
}
