package textcheck

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sort"
	"strings"
	"sync"
)

// dutchWordsGz is OpenTaal's list of Dutch words (Debian's wdutch),
// folded and lower case only: the words a capitalised word is checked
// against when it might be a name nobody listed (see SOURCES.md).
//
//go:embed data/dutch-words.txt.gz
var dutchWordsGz []byte

// wordSet is a sorted list of words in one string, searched by halves:
// 350,000 words in about 6 MB, where a map would take five times that.
type wordSet struct {
	text  string
	start []int32 // where each word starts in text; words end at '\n'
}

var dutchWords = sync.OnceValue(func() *wordSet {
	zr, err := gzip.NewReader(bytes.NewReader(dutchWordsGz))
	if err != nil {
		panic("textcheck: embedded word list: " + err.Error()) // the tests load it
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("textcheck: embedded word list: " + err.Error())
	}
	ws := &wordSet{text: string(b)}
	for i := 0; i < len(b); {
		ws.start = append(ws.start, int32(i))
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return ws
})

func (ws *wordSet) word(i int) string {
	s := ws.text[ws.start[i]:]
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return s
}

// has reports whether folded word w is in the set.
func (ws *wordSet) has(w string) bool {
	i := sort.Search(len(ws.start), func(i int) bool { return ws.word(i) >= w })
	return i < len(ws.start) && ws.word(i) == w
}
