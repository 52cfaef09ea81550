package dashboard

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// styles holds every style of the view. Only the 16 basic ANSI colours are
// used and no adaptive ones, so nothing ever asks the terminal about its
// background. With noColor every style is plain: the frame then carries no
// escape sequence at all (NO_COLOR).
type styles struct {
	plain   lipgloss.Style
	title   lipgloss.Style // section titles and the app name
	rule    lipgloss.Style // horizontal rules
	dim     lipgloss.Style // labels and secondary text
	bad     lipgloss.Style // FAILING, failure rows
	warn    lipgloss.Style // paused, dropped ticks, race logouts, stopping
	accent  lipgloss.Style // numbers worth the eye
	badgeOK lipgloss.Style
	badgeNG lipgloss.Style
	p50     lipgloss.Style // chart series
	p99     lipgloss.Style
}

func newStyles(noColor bool) styles {
	plain := lipgloss.NewStyle()
	if noColor {
		return styles{plain, plain, plain, plain, plain, plain, plain, plain, plain, plain, plain}
	}
	fg := func(c color.Color) lipgloss.Style { return plain.Foreground(c) }
	red, green, yellow, cyan, magenta, gray :=
		lipgloss.Color("1"), lipgloss.Color("2"), lipgloss.Color("3"),
		lipgloss.Color("6"), lipgloss.Color("5"), lipgloss.Color("8")
	return styles{
		plain:   plain,
		title:   plain.Bold(true),
		rule:    fg(gray),
		dim:     fg(gray),
		bad:     fg(red),
		warn:    fg(yellow),
		accent:  fg(cyan),
		badgeOK: plain.Bold(true).Foreground(lipgloss.Color("0")).Background(green),
		badgeNG: plain.Bold(true).Foreground(lipgloss.Color("15")).Background(red),
		p50:     fg(cyan),
		p99:     fg(magenta),
	}
}
