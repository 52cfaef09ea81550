package dashboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Helpers that place styled text into cells: every line they return is at
// most w cells wide, whatever the input.

// width is the display width of s in terminal cells, ignoring escapes.
func width(s string) int { return ansi.StringWidth(s) }

// fit truncates s to w cells, marking a cut with "…".
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	t := ansi.Truncate(s, w, "…")
	if strings.Contains(t, "\x1b[") {
		t += ansi.ResetStyle // a cut may have dropped a style's reset
	}
	return t
}

// pad fits s into exactly w cells, padding with spaces on the right.
func pad(s string, w int) string {
	s = fit(s, w)
	if n := w - width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft fits s into exactly w cells, right-aligned.
func padLeft(s string, w int) string {
	s = fit(s, w)
	if n := w - width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// spread puts left and right on one line of w cells, right-aligned right.
// The left side is cut first when both do not fit.
func spread(left, right string, w int) string {
	rw := width(right)
	if rw >= w {
		return fit(right, w)
	}
	return pad(left, w-rw-1) + " " + right
}

// heading draws "── title ─────" across w cells.
func (st styles) heading(title string, w int) string {
	if w <= 0 {
		return ""
	}
	head := st.rule.Render("─ ") + st.title.Render(title) + " "
	if width(head) >= w {
		return fit(head, w)
	}
	return head + st.rule.Render(strings.Repeat("─", w-width(head)))
}

// columns joins two blocks side by side with a one-cell gap.
func columns(left, right []string, lw, rw int) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range n {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = pad(l, lw) + " " + fit(r, rw)
	}
	return out
}

// flow lays items out after a label column, wrapping at w cells. Wrapped
// lines start hang cells further right than the first item, so they read
// as the continuation of their row and not as a row of their own.
func flow(label string, labelW, hang int, items []string, w int) []string {
	var out []string
	line := pad(label, labelW)
	indent := labelW
	used := 0
	for _, it := range items {
		iw := width(it)
		switch {
		case used == 0:
			line += it
			used = iw
		case indent+used+2+iw <= w:
			line += "  " + it
			used += 2 + iw
		default:
			out = append(out, fit(line, w))
			indent = min(labelW+hang, max(w-iw, labelW))
			line = strings.Repeat(" ", indent) + it
			used = iw
		}
	}
	return append(out, fit(line, w))
}

// clip joins lines into a frame of at most w×h cells.
func clip(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = fit(l, w)
	}
	return strings.Join(out, "\n")
}

// cut keeps at most n lines; when some are dropped, the last line kept
// says how many, so a cut panel never looks complete.
func cut(lines []string, n int, st styles) []string {
	if len(lines) <= n {
		return lines
	}
	if n <= 0 {
		return nil
	}
	out := append([]string(nil), lines[:n-1]...)
	more := len(lines) - n + 1
	word := "lines"
	if more == 1 {
		word = "line"
	}
	return append(out, st.dim.Render(fmt.Sprintf("… %d more %s", more, word)))
}

// hangW is how much further right a wrapped flow line starts.
const hangW = 2
