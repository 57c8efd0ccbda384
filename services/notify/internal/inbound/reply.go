package inbound

import (
	"regexp"
	"strings"
)

var (
	// attribution is the line a client writes above the quoted message, in
	// English, French, German and Spanish (Gmail, Apple Mail, Thunderbird).
	attribution = regexp.MustCompile(`(?i)^(` +
		`on\b.*\bwrote\s*:` +
		`|le\b.*\ba écrit\s*:` +
		`|am\b.*\bschrieb\b.*:` +
		`|.*\bschrieb\s*:` +
		`|el\b.*\bescribió\s*:` +
		`)$`)
	// originalMessage is Outlook's separator above a forwarded or
	// answered message.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original)\s*-{2,}$`)
	// headerFrom and headerOther are the first and the later lines of the
	// header block Outlook puts above the answered message (no ">" quoting).
	headerFrom  = regexp.MustCompile(`(?i)^\*?(from|de|von)\s*:\*?\s*\S`)
	headerOther = regexp.MustCompile(`(?i)^\*?(sent|date|to|cc|subject|envoyé|à|objet|gesendet|datum|an|betreff|enviado|fecha|para|asunto)\s*:\*?\s*`)
	// mobileSignature is the line a phone or webmail adds below a reply.
	mobileSignature = regexp.MustCompile(`(?i)^(sent from my\b|sent from mail for\b|sent from outlook\b|get outlook for\b|envoyé de mon\b|envoyé depuis mon\b|envoyé à partir de\b|von meinem\b.*\bgesendet|gesendet von meinem\b|enviado desde mi\b)`)
)

// replyText returns the new text of a reply: the body without the quoted
// message it answers and without the sender's signature. Lines the sender
// wrote between quoted lines (an inline answer) are kept.
func replyText(body string) string {
	body = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(body)
	lines := strings.Split(body, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		line := normalize(lines[i])
		switch {
		case line == "--" || mobileSignature.MatchString(line): // "-- ", often trimmed
			return join(out)
		case originalMessage.MatchString(line), outlookHeader(lines[i:]):
			return join(out)
		case strings.HasPrefix(line, ">"):
			continue
		}
		if n := attributionLines(lines[i:]); n > 0 {
			if onlyQuotes(lines[i+n:]) {
				return join(out)
			}
			i += n - 1 // an inline answer follows: drop only the attribution
			continue
		}
		if strings.Trim(line, "_") == "" && line != "" && outlookHeader(lines[i+1:]) {
			return join(out)
		}
		out = append(out, strings.TrimRight(lines[i], " \t"))
	}
	return join(out)
}

// normalize trims a line and turns the non-breaking spaces French
// typography puts before a colon into plain ones.
func normalize(line string) string {
	return strings.TrimSpace(strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(line))
}

// attributionLines returns how many lines (1 to 3) form an attribution at the
// start of lines, 0 if none does; clients wrap a long one.
func attributionLines(lines []string) int {
	joined := ""
	for n := 1; n <= 3 && n <= len(lines); n++ {
		part := normalize(lines[n-1])
		if part == "" || strings.HasPrefix(part, ">") {
			return 0
		}
		joined = strings.TrimSpace(joined + " " + part)
		if attribution.MatchString(joined) {
			return n
		}
	}
	return 0
}

// outlookHeader reports whether lines start with a "From:" line followed,
// within the next three lines, by another header field.
func outlookHeader(lines []string) bool {
	for len(lines) > 0 && normalize(lines[0]) == "" {
		lines = lines[1:]
	}
	if len(lines) == 0 || !headerFrom.MatchString(normalize(lines[0])) {
		return false
	}
	for _, l := range lines[1:min(len(lines), 4)] {
		if headerOther.MatchString(normalize(l)) {
			return true
		}
	}
	return false
}

// onlyQuotes reports whether every non-blank line is quoted with ">": the
// sender wrote nothing more below the attribution.
func onlyQuotes(lines []string) bool {
	for _, l := range lines {
		l = normalize(l)
		if l != "" && !strings.HasPrefix(l, ">") {
			return false
		}
	}
	return true
}

// join trims blank lines at both ends and squeezes runs of them into one.
func join(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	return b.String()
}
