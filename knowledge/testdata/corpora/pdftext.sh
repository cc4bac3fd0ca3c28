#!/usr/bin/env bash
# pdftext.sh writes each corpus's document as a PDF's text extraction
# (<corpus>/extracted.txt): the document rendered to PDF, then its text
# taken back out, as an operator who has only the PDF of a document would
# feed it to knowledge.sources. The extraction loses what the seeds' did:
# headings become plain lines, paragraphs run together with no blank line
# between, list bullets land on lines of their own, pages break anywhere.
#
# Needs pandoc, LibreOffice and poppler-utils (Debian: pandoc
# libreoffice-writer-nogui poppler-utils). Run from this folder:
#
#	bash pdftext.sh
#
# Made with pandoc 2.17, LibreOffice 7.4.7 and pdftotext 22.12 (Debian 12).
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in rfq18f gsoc gcloud djangococ budgeting18f pep1 ghsponsors osslegal cncfcharter; do
	# pandoc writes each document as one HTML page (an HTML source's
	# template code becomes text, as a browser shows it).
	if [[ -f $c/document.md ]]; then
		pandoc --quiet -f gfm -t html -s --metadata pagetitle="$c" "$c/document.md" -o "$work/$c.html"
	elif [[ -f $c/document.rst ]]; then
		pandoc --quiet -f rst -t html -s --metadata pagetitle="$c" "$c/document.rst" -o "$work/$c.html"
	else
		pandoc --quiet -f html -t html -s --metadata pagetitle="$c" "$c/document.html" -o "$work/$c.html"
	fi
	(cd "$work" && soffice --headless --convert-to pdf:writer_web_pdf_Export "$c.html" >/dev/null 2>&1)
	pdftotext -enc UTF-8 "$work/$c.pdf" "$c/extracted.txt"
done
