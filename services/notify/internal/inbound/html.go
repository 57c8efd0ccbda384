package inbound

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// blocks are the elements that start a new line of text.
var blocks = map[string]bool{
	"address": true, "article": true, "blockquote": true, "br": true, "dd": true, "div": true,
	"dl": true, "dt": true, "footer": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "header": true, "hr": true, "li": true, "ol": true, "p": true,
	"pre": true, "section": true, "table": true, "tr": true, "ul": true,
}

// paragraphs are the blocks set apart by a blank line.
var paragraphs = map[string]bool{"p": true, "blockquote": true, "hr": true, "table": true, "pre": true}

// htmlToText renders an HTML body as plain text: one line per block, the
// content of <blockquote> prefixed with "> " as a plain-text client would
// quote it, and no scripts, styles or head.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var (
		b     strings.Builder
		line  strings.Builder
		quote int // depth of <blockquote>
		skip  int // depth inside script, style, head, title
		pre   int
	)
	// flush ends the current line, if it holds any text.
	flush := func() {
		text := line.String()
		if pre == 0 {
			text = strings.Join(strings.Fields(text), " ")
		}
		line.Reset()
		if text != "" {
			writeLine(&b, quote, text)
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			flush()
			return strings.TrimSpace(blankRuns.ReplaceAllString(b.String(), "\n\n"))
		case html.TextToken:
			if skip == 0 {
				line.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tt := z.Token()
			start := tt.Type != html.EndTagToken
			switch tt.Data {
			case "script", "style", "head", "title", "noscript", "iframe", "noembed", "noframes":
				// The tokenizer reads these (but head) as raw text up to their
				// end tag even when written "<script/>", so that form opens
				// a skipped span too, or the script would show as text.
				if tt.Type == html.StartTagToken || tt.Type == html.SelfClosingTagToken && tt.Data != "head" {
					skip++
				} else if tt.Type == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if !blocks[tt.Data] {
				continue
			}
			if tt.Data == "br" {
				// <br> ends a line even when it is empty.
				writeLine(&b, quote, strings.Join(strings.Fields(line.String()), " "))
				line.Reset()
				continue
			}
			flush()
			if paragraphs[tt.Data] && b.Len() > 0 {
				b.WriteByte('\n') // a blank line around paragraphs
			}
			switch {
			case tt.Data == "blockquote" && start:
				quote++
			case tt.Data == "blockquote" && quote > 0:
				quote--
			case tt.Data == "pre" && start:
				pre++
			case tt.Data == "pre" && pre > 0:
				pre--
			}
		}
	}
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// maxQuoteDepth caps the "> " marks of a line: without it, n nested
// <blockquote> and m lines cost n×m bytes of output (a few kilobytes of
// markup became megabytes of text).
const maxQuoteDepth = 8

// writeLine writes one line of text, quoted to depth quote unless blank.
func writeLine(b *strings.Builder, quote int, text string) {
	if text != "" {
		b.WriteString(strings.Repeat("> ", min(quote, maxQuoteDepth)))
		b.WriteString(text)
	}
	b.WriteByte('\n')
}
