package dashboard

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// styles holds every lipgloss style of the view, all bound to one renderer
// so that NO_COLOR (profile Ascii) strips every escape sequence.
//
// Only the 16 basic ANSI colours are used: no adaptive colours, so the
// renderer never queries the terminal while the program owns it.
type styles struct {
	profile termenv.Profile
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

// newRenderer returns a renderer for w; noColor forces the Ascii profile.
func newRenderer(w io.Writer, noColor bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w)
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}

func newStyles(r *lipgloss.Renderer) styles {
	red, green, yellow, cyan, magenta, gray :=
		lipgloss.Color("1"), lipgloss.Color("2"), lipgloss.Color("3"),
		lipgloss.Color("6"), lipgloss.Color("5"), lipgloss.Color("8")
	return styles{
		profile: r.ColorProfile(),
		plain:   r.NewStyle(),
		title:   r.NewStyle().Bold(true),
		rule:    r.NewStyle().Foreground(gray),
		dim:     r.NewStyle().Foreground(gray),
		bad:     r.NewStyle().Foreground(red),
		warn:    r.NewStyle().Foreground(yellow),
		accent:  r.NewStyle().Foreground(cyan),
		badgeOK: r.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(green),
		badgeNG: r.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(red),
		p50:     r.NewStyle().Foreground(cyan),
		p99:     r.NewStyle().Foreground(magenta),
	}
}
