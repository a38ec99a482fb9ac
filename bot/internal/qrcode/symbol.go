// Derived from go-qrcode (github.com/skip2/go-qrcode), Copyright 2014 Tom
// Harwood, MIT licence (see LICENSE).

package qrcode

// symbol is a square of size×size modules without the quiet zone, row by
// row in one slice (go-qrcode keeps a slice per row, the quiet zone
// included, and two of them per symbol, for each of the eight masks).
type symbol struct {
	// module[y*size+x] is true for a dark module.
	module []bool

	// isUsed[y*size+x] is true once the module is set. nil for the
	// symbols drawn for each mask, which only take the layout's data.
	isUsed []bool

	size int
}

func newSymbol(size int) *symbol {
	return &symbol{module: make([]bool, size*size), isUsed: make([]bool, size*size), size: size}
}

// empty returns true if the module at (x, y) has not been set.
func (m *symbol) empty(x int, y int) bool { return !m.isUsed[y*m.size+x] }

// numEmptyModules returns the number of modules not set.
func (m *symbol) numEmptyModules() int {
	n := 0
	for _, used := range m.isUsed {
		if !used {
			n++
		}
	}
	return n
}

// set sets the module at (x, y) to v.
func (m *symbol) set(x int, y int, v bool) {
	m.module[y*m.size+x] = v
	if m.isUsed != nil {
		m.isUsed[y*m.size+x] = true
	}
}

// set2dPattern sets a 2D array of modules, starting at (x, y).
func (m *symbol) set2dPattern(x int, y int, v [][]bool) {
	for j, row := range v {
		for i, value := range row {
			m.set(x+i, y+j, value)
		}
	}
}

// Constants used to weight penalty calculations. Specified by ISO/IEC
// 18004:2006.
const (
	penaltyWeight1 = 3
	penaltyWeight2 = 3
	penaltyWeight3 = 40
	penaltyWeight4 = 10
)

// penaltyScore returns the penalty score of the symbol, as go-qrcode
// scores it (which is not everywhere as the standard does: the choice of
// mask, and so the picture, must stay go-qrcode's). cols is scratch room
// for the symbol transposed, so that its columns are scanned as rows are.
func (m *symbol) penaltyScore(cols []bool) int {
	n := m.size
	for y := range n {
		for x, v := range m.module[y*n : y*n+n] {
			cols[x*n+y] = v
		}
	}
	penalty := 0
	for i := 0; i < n*n; i += n {
		penalty += linePenalty(m.module[i:i+n]) + linePenalty(cols[i:i+n])
	}
	return penalty + m.penalty2() + m.penalty4()
}

// linePenalty scores one row or column for go-qrcode's penalty1 and
// penalty3.
//
// penalty1: runs of 6 or more modules of one colour, 3 for the sixth
// module, 1 for each one after.
//
// penalty3: the 1:1:3:1:1 pattern beside four light modules, with
// go-qrcode's shift register, resets and all.
func linePenalty(line []bool) int {
	penalty := 0
	lastValue := line[0]
	count := 0 // the first module, equal to lastValue, makes it 1
	var bitBuffer int16
	for i, v := range line {
		if v != lastValue {
			count = 1
			lastValue = v
		} else {
			count++
			if count == 6 {
				penalty += penaltyWeight1 + 1
			} else if count > 6 {
				penalty++
			}
		}

		var p int
		bitBuffer, p = register3(bitBuffer, v, i == len(line)-1)
		penalty += p
	}
	return penalty
}

// penalty2 scores each 2×2 block of one colour.
func (m *symbol) penalty2() int {
	penalty := 0
	n := m.size
	for y := 1; y < n; y++ {
		above, row := m.module[(y-1)*n:y*n], m.module[y*n:y*n+n]
		for x := 1; x < n; x++ {
			current := row[x]
			if current == row[x-1] && current == above[x] && current == above[x-1] {
				penalty++
			}
		}
	}
	return penalty * penaltyWeight2
}

// penalty4 scores the share of dark modules away from half.
func (m *symbol) penalty4() int {
	numModules := m.size * m.size
	numDarkModules := 0
	for _, v := range m.module {
		if v {
			numDarkModules++
		}
	}
	numDarkModuleDeviation := numModules/2 - numDarkModules
	if numDarkModuleDeviation < 0 {
		numDarkModuleDeviation *= -1
	}
	return penaltyWeight4 * (numDarkModuleDeviation / (numModules / 20))
}

// register3 moves penalty3's shift register on by one module (dark or
// not; last for a line's last module) and returns it with the penalty
// scored: go-qrcode's register, reset to 0xFF after each match.
func register3(bitBuffer int16, dark, last bool) (int16, int) {
	bitBuffer <<= 1
	if dark {
		bitBuffer |= 1
	}
	switch {
	case bitBuffer&0x7ff == 0x05d, bitBuffer&0x7ff == 0x5d0, last && bitBuffer&0x7f == 0x5d:
		return 0xFF, penaltyWeight3
	}
	return bitBuffer, 0
}
