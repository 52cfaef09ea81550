// Package report renders a results directory for people and CI: the text
// summary, report.html, junit.xml, Markdown and versioned JSON, and the
// comparison of two runs. It reads results; results never calls it.
package report
